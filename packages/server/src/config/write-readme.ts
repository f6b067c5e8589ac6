/** `npm run docs:config`: rewrites README.md's configuration table from the settings schema. */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withConfigTable } from './readme.js';

const file = fileURLToPath(new URL('../../../../README.md', import.meta.url));
const before = fs.readFileSync(file, 'utf8');
const after = withConfigTable(before);
if (after !== before) fs.writeFileSync(file, after);
process.stdout.write(after === before ? 'README.md: configuration table already up to date\n' : 'README.md: configuration table rewritten\n');
