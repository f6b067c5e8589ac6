import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { renderConfigTable, TABLE_END, TABLE_START } from './readme.js';

test("README's configuration table is the one the settings schema generates (fix: npm run docs:config)", () => {
  const readme = fs.readFileSync(fileURLToPath(new URL('../../../../README.md', import.meta.url)), 'utf8');
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  expect(start, 'README.md has the start marker').toBeGreaterThanOrEqual(0);
  expect(end, 'README.md has the end marker after it').toBeGreaterThan(start);
  expect(readme.slice(start + TABLE_START.length, end).trim()).toBe(renderConfigTable());
});
