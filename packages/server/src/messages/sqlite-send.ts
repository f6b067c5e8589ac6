import type { Worker } from 'node:worker_threads';
import type { Actor, Deps } from '../core/context.js';
import type { FifoLock } from '../store/db.js';
import { startTsWorker, stopWorker } from '../core/ts-worker.js';
import { EncodedJson } from '../core/encoded.js';
import type { SendAck } from '@parley/protocol';
import type { TokenBuckets } from '../core/rate-limit.js';
import { STALE_MS } from '../presence/service.js';
import { sendRateLimited } from './validate.js';
import { fromWire, sharedClock, type BatchItem, type BatchReply, type BatchRequest, type WireError } from './sqlite-send-batch.js';
import type { PendingSend as Pending, SendInput, SendOutcome } from './send-queue.js';
import { newId } from '../core/ids.js';
import type { TraceRecorder } from '../trace/recorder.js';

type FromThread = { type: 'ready' } | { type: 'done'; id: number; reply: BatchReply } | { type: 'pragma'; id: number; value?: unknown; error?: WireError } | { type: 'error'; message: string };

/** The thread stopped with work handed to it: that work may or may not be stored; a retry settles it. */
function threadGone(why: string): Error {
  return Object.assign(new Error(`the send writer thread stopped: ${why}`), { code: 'STORAGE_UNAVAILABLE' });
}

/** Where a batch is written: the writer thread (or, in a test, anything that answers like it). */
export interface SendWriter {
  ready(): Promise<void>;
  run(req: BatchRequest): Promise<BatchReply>;
  stop(): Promise<void>;
}

/**
 * The send writer's thread (sqlite-send-thread.ts) seen from the main thread: batches in,
 * results out, in order. A thread that dies fails what it held as `unavailable` (a retry with the
 * same client_msg_id is idempotent either way) and the next batch starts a new one.
 */
export class SendWriterThread implements SendWriter {
  private worker: Worker | null = null;
  private started: Promise<void> = Promise.resolve();
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: never) => void; reject: (e: unknown) => void }>();

  constructor(
    private readonly file: string,
    private readonly deps: Deps,
  ) {}

  /** Starts the thread now rather than at the first batch. */
  start(): void {
    this.thread();
  }

  /** Resolves once the thread is up (or has failed to start: then the next call fails). */
  ready(): Promise<void> {
    this.thread();
    return this.started;
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = startTsWorker(new URL('./sqlite-send-thread.ts', import.meta.url), 'parley-send', {
      file: this.file,
      synchronous: this.deps.config.sqliteSynchronous,
      checkpointMs: this.deps.config.sqliteCheckpointMs,
    });
    worker.unref();
    let up!: () => void;
    this.started = new Promise<void>((resolve) => (up = resolve));
    worker.on('message', (m: FromThread) => {
      if (m.type === 'error') {
        this.deps.log.error({ err: m.message }, 'the send writer thread failed to start');
        void worker.terminate();
        return;
      }
      if (m.type === 'ready') return up();
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.type === 'done') w.resolve(m.reply as never);
      else if (m.error) w.reject(fromWire(m.error));
      else w.resolve(m.value as never);
    });
    worker.on('error', (err) => this.deps.log.error({ err }, 'the send writer thread stopped'));
    worker.once('exit', (code) => {
      up();
      if (this.worker === worker) this.worker = null;
      for (const w of this.waiting.values()) w.reject(threadGone(`exit code ${code}`));
      this.waiting.clear();
    });
    this.worker = worker;
    return worker;
  }

  private call<T>(message: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: never) => void, reject });
      this.thread().postMessage({ ...message, id });
    });
  }

  run(req: BatchRequest): Promise<BatchReply> {
    return this.call<BatchReply>({ type: 'batch', req });
  }

  /** Runs a PRAGMA on the writer's connection (`simple` result), e.g. `max_page_count = 100`. */
  pragma(sql: string): Promise<unknown> {
    return this.call<unknown>({ type: 'pragma', sql });
  }

  /** Fault injection: the thread dies at once, as if it crashed, with whatever it holds. */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    await stopWorker(worker);
  }
}

/**
 * Group commit for the embedded database, with the writing on its own thread: this side queues
 * sends, charges the senders' rate, hands batches to the writer (sqlite-send-batch.ts) and, as
 * each commits, publishes its events and acks. While the writer commits batch N (statements, WAL
 * write, fsync), this event loop parses, validates and fans out around it, and batch N+1 is
 * already waiting in the writer's queue (`limits.sendBatchesInFlight`): the second core does
 * the storage work that used to stall the one event loop, and never waits for this one.
 *
 * The batcher holds the main connection's turn (OpenedDb.sqliteTurn) while batches are in
 * flight: no other transaction commits (and publishes) in between, so events leave in seq order,
 * and the main connection never waits on SQLite's write lock while the writer holds it. When a
 * query queues for the turn, no new batch goes out; the pipeline drains and the turn passes.
 */
export class SqliteSendBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  private holding = false;
  private acquiring = false;
  /** Batch results are settled strictly in the order the batches went out. */
  private settled: Promise<void> = Promise.resolve();
  private idle: (() => void) | null = null;

  constructor(
    readonly writer: SendWriter,
    private readonly deps: Deps,
    private readonly turn: FifoLock,
    private readonly limiter: TokenBuckets,
    private readonly maxBatch: number,
    private readonly maxInFlight: number,
    /** The message trace's recorder: each batch writes its messages' trace rows, and carries the recorder's waiting rows. */
    private readonly trace: TraceRecorder | null = null,
    /** Sends that must wait before a batch is handed ahead of one being written (`limits.sendPipelineMin`). */
    private readonly pipelineMin = 1,
  ) {}

  /**
   * Queues a send. Its place in the commit order is fixed here: batches take the queue's head
   * and the one writer commits them in turn, so sends submitted in order get seqs in that order.
   * `placed` is told so at once (the socket pipelines its sends on it; see Gateway.pipelineSend).
   */
  submit(actor: Actor, input: SendInput, placed?: () => void): Promise<SendOutcome> {
    const outcome = new Promise<SendOutcome>((resolve, reject) => {
      this.queue.push({ actor, input, resolve, reject, charged: false, acceptedAt: this.deps.now() });
      this.schedule();
    });
    placed?.();
    return outcome;
  }

  /**
   * A batch goes out in the check phase of the event loop, so every frame that arrived in this
   * poll round joins it; while batches are being written, the next one collects.
   */
  private schedule(): void {
    if (this.scheduled || !this.batchDue()) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.dispatch();
    });
  }

  /**
   * Whether a batch may go out now. The first always may; one handed ahead of a batch being
   * written waits until `pipelineMin` sends do. Every commit costs about the same fixed work
   * (an fsync, and rewriting the pages every batch touches: the tails of the append-only tables,
   * the conversations' pages), so at moderate load a few sends handed ahead at each turn made the
   * writer commit batches of 2-19 and spend most of its time on that fixed part (dm, 1,000 users,
   * 5,000 msg/s: writer busy 86-87 % of the time). Waiting for the running commit instead grows
   * the batches to 31-53 and the writer's busy time falls to 68-72 %; at saturation the queue is
   * always that long, so the pipeline runs as before (docs/performance.md).
   */
  private batchDue(): boolean {
    if (this.queue.length === 0 || this.inFlight >= this.maxInFlight) return false;
    return this.inFlight === 0 || this.queue.length >= this.pipelineMin;
  }

  private async dispatch(): Promise<void> {
    if (!this.batchDue() || this.acquiring) return;
    if (!this.holding) {
      this.acquiring = true;
      try {
        // The batch's time is taken once the writer can take it (its first start takes a moment).
        await this.writer.ready();
        await this.turn.acquire();
      } finally {
        this.acquiring = false;
      }
      this.holding = true;
    } else if (this.turn.waiting > 0) {
      // Let the waiting query have its turn: at once if nothing is in flight, else once drained.
      if (this.inFlight === 0) this.passTurn();
      return;
    }
    const items = this.queue.splice(0, this.maxBatch);
    // Charged here, exactly, in arrival order. A send over the rate is refused unless the writer
    // finds it is a retry of a stored one: retries are answered, never charged (see settle).
    const waits = items.map((p) => this.limiter.take(p.actor.userId));
    const now = this.deps.now();
    const req: BatchRequest = {
      at: now,
      presentSince: now - STALE_MS,
      maxMessageChars: this.deps.config.limits.maxMessageChars,
      items: items.map((p, i): BatchItem => ({ actor: p.actor, input: p.input, overRate: waits[i]! > 0, acceptedAt: p.acceptedAt })),
      ...(this.trace ? { trace: { batchId: newId(), node: this.trace.node, rows: this.trace.take() } } : {}),
    };
    this.inFlight++;
    const written = this.writer.run(req);
    this.settled = this.settled
      .then(() => written)
      .then((reply) => this.settle(items, waits, reply, req))
      .catch((e: unknown) => {
        // The thread died with the batch: its trace rows wait for the next write (the batch's own
        // messages may or may not be stored; their retries settle it).
        if (req.trace?.rows) this.trace?.putBack(req.trace.rows);
        // Settling a promise twice is a no-op: only those not answered yet get the error.
        for (const it of items) it.reject(e);
      })
      .finally(() => this.done());
    this.schedule();
  }

  private settle(items: Pending[], waits: number[], reply: BatchReply, req: BatchRequest): void {
    if (!reply.ok) {
      if (req.trace?.rows) this.trace?.putBack(req.trace.rows);
      const err = fromWire(reply.error);
      for (const it of items) it.reject(err);
      return;
    }
    if (reply.replayedAfter) this.deps.log.warn({ err: fromWire(reply.replayedAfter) }, 'a send failed while writing its batch; replayed the batch one savepoint per send');
    const { results } = reply;
    // In this clock (a test's may be fake): the commit was this long ago.
    const sinceCommit = reply.committedAt === undefined ? 0 : Math.max(0, sharedClock() - reply.committedAt);
    // Taken with sinceCommit, before publishing: on one node the bus delivers inside the publish loop.
    const committedAt = this.deps.now() - sinceCommit;
    let sent = 0;
    for (const r of results) {
      if (r.kind !== 'sent') continue;
      this.deps.publisher.logEncoded(r.convId, r.seq, null, r.frame);
      sent++;
    }
    const publishedAt = this.deps.now();
    const tracing = this.deps.tracing;
    if (tracing && sent > 0) {
      const messages = results.flatMap((r, i) => (r.kind === 'sent' ? [{ messageId: r.id, convId: r.convId, seq: r.seq, acceptedAt: items[i]!.acceptedAt }] : []));
      tracing.sent(messages, { startedAt: req.at, committedAt, publishedAt, size: items.length });
    }
    if (req.trace && this.trace) {
      if (sent > 0) this.trace.batch(req.trace.batchId, committedAt, publishedAt);
      if (reply.traceDropped) this.deps.log.warn({ err: fromWire(reply.traceDropped) }, 'message trace rows failed to write; dropped them');
    }
    const m = this.deps.metrics;
    m.batchSize.observe(items.length);
    if (reply.committedAt !== undefined) m.publishSeconds.observe(Math.max(0, sharedClock() - reply.committedAt) / 1000);
    for (let i = 0; i < items.length; i++) {
      const r = results[i]!;
      const item = items[i]!;
      if (r.kind === 'sent') item.resolve({ kind: 'sent', ack: new EncodedJson<SendAck>(r.ack) });
      else if (r.kind === 'duplicate') {
        if (waits[i] === 0 && !r.tokenPassed) this.limiter.take(item.actor.userId, -1);
        item.resolve({ kind: 'duplicate', row: r.row });
      } else if (r.kind === 'over_rate') item.reject(sendRateLimited(this.deps.config.limits.sendRatePerSec, waits[i]!));
      else item.reject(fromWire(r.error));
    }
  }

  /** Gives the main connection's turn to whoever waits for it; the next batch queues behind them. */
  private passTurn(): void {
    this.holding = false;
    this.turn.release();
    this.schedule();
  }

  private done(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.holding && (this.queue.length === 0 || this.turn.waiting > 0)) this.passTurn();
    this.schedule();
    if (this.inFlight === 0 && this.queue.length === 0 && !this.acquiring) this.idle?.();
  }

  /** Waits for the sends already submitted, then stops the writer thread. */
  async stop(): Promise<void> {
    while (this.inFlight > 0 || this.acquiring || this.queue.length > 0) await new Promise<void>((r) => (this.idle = r));
    this.idle = null;
    await this.writer.stop();
  }
}
