// How Parley bundles its TypeScript for Node with esbuild: the CLI (packages/cli/bin/parley.js)
// and the server's worker threads (core/ts-worker.ts). Plain JavaScript, so that the CLI's bin
// can use it before any TypeScript loader runs. Its types are in node-bundle.d.ts.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';

/**
 * The key of a bundle made from the TypeScript sources under `dirs` and the packages the lockfile
 * installed: the sizes and modification times of every source file (tests left out) and of the
 * lockfile, and the Node version. Any edit or install changes it.
 */
export function sourceKey(dirs, lockfile) {
  const lock = fs.statSync(lockfile, { throwIfNoEntry: false });
  const parts = [process.version, lock ? `${lock.size}:${lock.mtimeMs}` : 'no lockfile'];
  for (const dir of dirs) {
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
      const file = path.join(entry.parentPath, entry.name);
      const st = fs.statSync(file);
      parts.push(`${file}:${st.size}:${st.mtimeMs}`);
    }
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/** esbuild's options for one ES module file that Node 20 runs; add the entry and the output. */
export const nodeBundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'silent',
  // CommonJS dependencies inside an ES module bundle still need `require` for Node's built-ins.
  banner: { js: "import { createRequire as parleyRequire } from 'node:module'; const require = parleyRequire(import.meta.url);" },
};
