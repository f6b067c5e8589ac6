import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

// A worker runs TypeScript like the rest of the server: through tsx, registered in its thread.
const BOOT = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.tsx)
  .then((tsx) => { tsx.register(); return import(workerData.entry); })
  .catch((e) => parentPort.postMessage({ type: 'error', message: String((e && e.stack) || e) }));
`;

/**
 * tsx's ESM API (`tsx/esm/api`, import condition). `require.resolve` can only name its CommonJS
 * twin, which registers hooks that resolve wrongly in a worker; the ESM file sits beside it.
 */
function tsxEsmApi(): string {
  const cjs = require.resolve('tsx/esm/api');
  return pathToFileURL(path.join(path.dirname(cjs), 'index.mjs')).href;
}

/**
 * Starts a worker thread running the TypeScript module `entry` with `data` as its workerData
 * (the module reads it from `workerData`). A module that fails to load posts
 * `{ type: 'error', message }` to the parent.
 */
export function startTsWorker(entry: URL, data: Record<string, unknown>): Worker {
  return new Worker(BOOT, { eval: true, workerData: { ...data, tsx: tsxEsmApi(), entry: fileURLToPath(entry) } });
}
