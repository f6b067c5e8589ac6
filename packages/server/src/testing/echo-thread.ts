/**
 * A worker thread for core/ts-worker's tests: answers with what it was given, the file it runs
 * from and the name its thread carries, and proves a TypeScript import of the server works.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../core/errors.js';

let comm: string | null = null;
try {
  comm = fs.readFileSync('/proc/thread-self/comm', 'utf8').trim();
} catch {
  comm = null;
}
const err = new AppError('not_found', 'echo');
parentPort!.postMessage({ data: (workerData as { echo: unknown }).echo, url: import.meta.url, comm, code: err.code });
