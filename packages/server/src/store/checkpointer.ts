import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { NAME_THREAD } from '../core/ts-worker.js';

const require = createRequire(import.meta.url);

// Plain CommonJS run by the worker thread: its own connection to the same file.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
${NAME_THREAD}
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    parentPort.postMessage(String((e && e.message) || e));
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Copies the WAL back into the database file from a worker thread. A group commit dirties a
 * couple of thousand pages, so SQLite's own checkpoint (every 1,000 WAL pages, run by whichever
 * commit crosses the line) stalled the event loop after nearly every batch: measured 19 ms per
 * commit, 58 % of the send path's SQLite time. A PASSIVE checkpoint on another connection runs
 * beside the writer without blocking it; the main connection keeps a high automatic threshold
 * as a backstop should this thread fall behind.
 */
export class BackgroundCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(file: string, intervalMs: number, log: Logger | null) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, intervalMs, threadName: 'parley-wal', driver: require.resolve('better-sqlite3') } });
    this.worker.unref();
    this.worker.on('message', (msg: unknown) => log?.warn({ err: msg }, 'background WAL checkpoint failed'));
    this.worker.on('error', (err) => log?.warn({ err }, 'WAL checkpoint thread stopped; SQLite checkpoints by itself'));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise<void>((r) => (timer = setTimeout(r, 2_000)))]);
    clearTimeout(timer);
    await this.worker.terminate();
  }
}
