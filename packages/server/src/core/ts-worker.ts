import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/**
 * Source that names the thread it runs on after \`workerData.threadName\`, so \`top -H\`, \`ps -L\`
 * and the benchmark's CPU-by-thread figures tell the server's threads apart (Linux only; a
 * thread's name is its \`comm\`, at most 15 bytes; elsewhere nothing happens).
 */
export const NAME_THREAD = `
try { if (workerData.threadName) require('node:fs').writeFileSync('/proc/thread-self/comm', workerData.threadName); } catch {}
`;

// A worker runs TypeScript like the rest of the server: through tsx, registered in its thread.
const BOOT = `
const { workerData, parentPort } = require('node:worker_threads');
${NAME_THREAD}
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
 * Starts a worker thread named `threadName` running the TypeScript module `entry` with `data` as
 * its workerData (the module reads it from `workerData`). A module that fails to load posts
 * `{ type: 'error', message }` to the parent.
 */
export function startTsWorker(entry: URL, threadName: string, data: Record<string, unknown>): Worker {
  return new Worker(BOOT, { eval: true, workerData: { ...data, threadName, tsx: tsxEsmApi(), entry: fileURLToPath(entry) } });
}

/**
 * Asks a worker to stop (`{ type: 'stop' }`: it finishes what it holds and closes its
 * connections), waits up to `graceMs` for it to exit, then terminates it whatever it is doing.
 */
export async function stopWorker(worker: Worker, graceMs = 5_000): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage({ type: 'stop' });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
  await worker.terminate();
}
