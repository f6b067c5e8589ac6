import type { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import type { Deps } from '../core/context.js';
import { startTsWorker, stopWorker } from '../core/ts-worker.js';
import { searchIndexFile } from './sqlite-index-file.js';

/** Messages indexed per transaction: large enough that FTS5 writes few, large segments. */
const BATCH = 5000;
/** How often the worker looks for queued messages when nobody kicked it. */
const EVERY_MS = 500;
/** The longest a search waits for queued messages to be indexed. */
const FLUSH_WAIT_MS = 2000;
/** How often indexed entries are dropped from the queue (one DELETE on the main connection). */
const PRUNE_MS = 1000;

export interface IndexerStatus {
  queued: number;
  /** How long the oldest message not yet indexed has waited, in ms (0 when none). */
  lagMs: number;
}

type FromWorker = { type: 'progress'; cursor: number } | { type: 'flushed'; id: number } | { type: 'error'; message: string } | { type: 'stopped' };

/**
 * The main thread's side of the SQLite search index: sends, edits and recalls queue messages in
 * their own transactions (`search_queue`, one small row), and the worker thread indexes them
 * into search.db. `flush()` waits until everything queued so far is indexed: every search calls
 * it first, so a search finds every acked message, as if indexing were part of the send.
 */
export class SqliteSearchIndexer {
  private worker: Worker | null = null;
  private cursor = 0;
  private pruned = 0;
  private pruning = false;
  private nextId = 1;
  private readonly flushes = new Map<number, () => void>();
  private pruner: NodeJS.Timeout | null = null;
  private stopped: Promise<void> | null = null;
  private readonly st;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly deps: Deps,
  ) {
    this.st = {
      last: sqlite.prepare<[], { pos: number | null }>('SELECT max(pos) AS pos FROM search_queue'),
      pending: sqlite.prepare<[number, number], { n: number; first: string | null }>(
        'SELECT count(*) AS n, (SELECT message_id FROM search_queue WHERE pos > ? ORDER BY pos LIMIT 1) AS first FROM search_queue WHERE pos > ?',
      ),
      createdAt: sqlite.prepare<[string], { created_at: number }>('SELECT created_at FROM messages WHERE id = ?'),
      prune: sqlite.prepare<[number], unknown>('DELETE FROM search_queue WHERE pos <= ?'),
    };
  }

  start(): void {
    if (this.worker) return;
    const mainFile = this.sqlite.name;
    const worker = startTsWorker(new URL('./sqlite-index-worker.ts', import.meta.url), 'parley-search', {
      mainFile,
      indexFile: searchIndexFile(this.deps.config.dataDir),
      batch: BATCH,
      everyMs: EVERY_MS,
    });
    worker.unref();
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'progress') this.cursor = Math.max(this.cursor, m.cursor);
      else if (m.type === 'flushed') {
        this.flushes.get(m.id)?.();
        this.flushes.delete(m.id);
      } else if (m.type === 'error') this.deps.log.error({ err: m.message }, 'the search index thread failed; search may miss recent messages');
    });
    worker.on('error', (err) => this.deps.log.error({ err }, 'the search index thread stopped'));
    // Searches never wait on a thread that is gone: they answer from the index as it is.
    worker.once('exit', () => {
      if (this.worker === worker) this.worker = null;
      for (const resolve of this.flushes.values()) resolve();
      this.flushes.clear();
    });
    this.worker = worker;
    this.pruner = setInterval(() => void this.prune(), PRUNE_MS);
    this.pruner.unref();
  }

  /** Resolves once every message queued before the call is in the index. */
  async flush(): Promise<void> {
    const upTo = this.st.last.get()?.pos ?? 0;
    if (upTo <= this.cursor || !this.worker) return;
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.flushes.set(id, resolve);
      this.worker!.postMessage({ type: 'flush', id, upTo });
      // A search waits at most this long for the index to catch up (it is milliseconds behind
      // unless a huge backlog is being indexed, which /readyz shows); then it answers anyway.
      timer = setTimeout(() => {
        this.flushes.delete(id);
        resolve();
      }, FLUSH_WAIT_MS);
    });
    clearTimeout(timer);
  }

  /** A write on the main connection: in its turn (OpenedDb.sqliteTurn), never inside another caller's transaction. */
  private async prune(): Promise<void> {
    const upTo = this.cursor;
    if (upTo <= this.pruned || this.pruning) return;
    const turn = this.deps.sqliteTurn;
    this.pruning = true;
    await turn?.acquire();
    try {
      this.st.prune.run(upTo);
      this.pruned = upTo;
    } catch (err) {
      this.deps.log.warn({ err }, 'dropping indexed entries from the search queue failed; retrying');
    } finally {
      turn?.release();
      this.pruning = false;
    }
  }

  status(): IndexerStatus {
    const p = this.st.pending.get(this.cursor, this.cursor)!;
    if (p.n === 0 || p.first === null) return { queued: 0, lagMs: 0 };
    const first = this.st.createdAt.get(p.first);
    return { queued: p.n, lagMs: first ? Math.max(0, this.deps.now() - Number(first.created_at)) : 0 };
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      if (this.pruner) clearInterval(this.pruner);
      const worker = this.worker;
      if (!worker) return;
      this.worker = null;
      for (const resolve of this.flushes.values()) resolve();
      this.flushes.clear();
      await stopWorker(worker);
      await this.prune();
    })();
    return this.stopped;
  }
}
