import type { Actor, Deps } from '../core/context.js';
import { PassLoop } from '../core/pass-loop.js';
import type { TraceAcksTable, TraceBatchesTable, TraceDevicesTable } from '../store/schema.js';

/** How often the recorder looks for rows no send batch carried. */
const FLUSH_MS = 1_000;
/**
 * Rows that waited this long were not taken by a send batch (the server is idle, or on
 * PostgreSQL): the recorder writes them. Younger rows are left for the next batch: on SQLite a
 * write of the recorder's own takes the main connection's turn, which drains the send pipeline.
 */
const LEFT_BEHIND_MS = 500;
/** Devices holding a socket on this node get their last-seen time refreshed this often. */
const HEARTBEAT_MS = 20_000;
/** Cursor positions remembered to skip acks that do not move a device's cursor; cleared past it. */
const MAX_CURSORS = 50_000;

/** Trace rows waiting to be written: a batch's times, cursor moves, device socket changes. */
export interface TraceRows {
  batches: TraceBatchesTable[];
  acks: TraceAcksTable[];
  /** The latest state of each device that changed (an upsert each, see `devices` below). */
  devices: TraceDevicesTable[];
}

/**
 * The hot-path half of the message trace (the other half, reading it back, is trace/service.ts).
 *
 * The per-message row is written by the send paths in the message's own transaction (it costs one
 * prepared insert; see sqlite-send-batch.ts and pg-send.ts). What is only known after the commit —
 * when it committed and when it was published — is one row per batch, not per message, and so are
 * delivery and read acks (one per device per conversation per moment) and socket changes. Those
 * rows wait here and are written a few at a time, never in a transaction of their own per event:
 * - on the embedded database the send writer thread takes them with its next batch (`take`),
 *   inside the transaction it commits anyway, so under load they cost no extra commit and no turn
 *   of the main connection (taking that turn drains the send pipeline);
 * - whatever no batch took (an idle server, or PostgreSQL, where a pooled connection costs no
 *   pipeline) is written once a second by `flush`.
 * A node that crashes loses at most the last second of these rows: the trace then says the batch's
 * times were not recorded, and the messages themselves are as durable as ever.
 */
export class TraceRecorder {
  private batches: TraceBatchesTable[] = [];
  private acks: TraceAcksTable[] = [];
  private readonly devices = new Map<string, TraceDevicesTable>();
  /** This node's sockets per session, and when the first of them connected. */
  private readonly sockets = new Map<string, { userId: string; n: number; since: number }>();
  private readonly cursors = new Map<string, number>();
  private readonly loop: PassLoop;
  private lastBeat = 0;
  /** PARLEY_TRACE=0: nothing is recorded. */
  private readonly on: boolean;
  /** When the oldest row waiting now was added (performance.now()); null when none waits. */
  private waitingSince: number | null = null;

  constructor(private readonly deps: Deps) {
    this.on = deps.config.traceEnabled;
    this.loop = new PassLoop(
      () => this.pass(),
      (err) => this.deps.log.warn({ err }, 'writing message trace rows failed; retrying'),
    );
  }

  get node(): string {
    return this.deps.config.nodeName;
  }

  start(): void {
    this.lastBeat = this.deps.now();
    this.loop.start(FLUSH_MS);
  }

  /** Writes what waits and marks this node's devices offline (a graceful stop). */
  async stop(): Promise<void> {
    await this.loop.stop();
    const t = this.deps.now();
    for (const [sessionId, s] of this.sockets) this.devices.set(sessionId, this.deviceRow(sessionId, s.userId, 0, s.since, t));
    this.sockets.clear();
    try {
      await this.flush();
    } catch (err) {
      this.deps.log.warn({ err }, 'writing the last message trace rows failed');
    }
  }

  /** A group-commit batch committed and its events went to the bus. */
  batch(batchId: string, committedAt: number, publishedAt: number): void {
    if (!this.on) return;
    this.waiting();
    this.batches.push({ batch_id: batchId, node_id: this.node, committed_at: Math.round(committedAt), published_at: Math.round(publishedAt) });
  }

  /** A device's delivery or read cursor in a conversation is now at `seq` (kept only when it moved). */
  ack(actor: Actor, convId: string, kind: 'delivered' | 'read', seq: number): void {
    if (!this.on) return;
    const key = `${actor.sessionId}\u0000${convId}\u0000${kind}`;
    if ((this.cursors.get(key) ?? 0) >= seq) return;
    if (this.cursors.size >= MAX_CURSORS) this.cursors.clear();
    this.cursors.set(key, seq);
    this.waiting();
    this.acks.push({ conv_id: convId, session_id: actor.sessionId, user_id: actor.userId, kind, seq, at: this.deps.now(), node_id: this.node });
  }

  /** A socket of this session authenticated on this node. */
  connected(actor: Actor): void {
    if (!this.on) return;
    const t = this.deps.now();
    const s = this.sockets.get(actor.sessionId) ?? { userId: actor.userId, n: 0, since: t };
    s.n++;
    this.sockets.set(actor.sessionId, s);
    this.waiting();
    this.devices.set(actor.sessionId, this.deviceRow(actor.sessionId, actor.userId, s.n, s.since, t));
  }

  /** An authenticated socket of this session closed. */
  disconnected(actor: Actor): void {
    if (!this.on) return;
    const s = this.sockets.get(actor.sessionId);
    if (!s) return;
    s.n--;
    if (s.n <= 0) this.sockets.delete(actor.sessionId);
    this.waiting();
    this.devices.set(actor.sessionId, this.deviceRow(actor.sessionId, actor.userId, Math.max(0, s.n), s.since, this.deps.now()));
  }

  private waiting(): void {
    this.waitingSince ??= performance.now();
  }

  /** Whether this node holds a socket of the session now (fresher than the table). */
  holds(sessionId: string): boolean {
    return this.sockets.has(sessionId);
  }

  private deviceRow(sessionId: string, userId: string, sockets: number, since: number, t: number): TraceDevicesTable {
    return { session_id: sessionId, user_id: userId, node_id: this.node, sockets, connected_at: since, last_seen_at: t };
  }

  /** Everything waiting, handed to a send batch (which writes it in its transaction); null when nothing waits. */
  take(): TraceRows | null {
    if (this.batches.length === 0 && this.acks.length === 0 && this.devices.size === 0) return null;
    const rows = { batches: this.batches, acks: this.acks, devices: [...this.devices.values()] };
    this.batches = [];
    this.acks = [];
    this.devices.clear();
    this.waitingSince = null;
    return rows;
  }

  /** Rows a batch took but could not write (its transaction failed) wait for the next write. */
  putBack(rows: TraceRows): void {
    this.batches.unshift(...rows.batches);
    this.acks.unshift(...rows.acks);
    for (const d of rows.devices) if (!this.devices.has(d.session_id)) this.devices.set(d.session_id, d);
    this.waitingSince = performance.now() - LEFT_BEHIND_MS;
  }

  /** Writes whatever waits now (tests call it to read their own trace at once). */
  flush(): Promise<void> {
    return this.loop.active ? this.runPass() : this.write();
  }

  private passDone: Promise<void> = Promise.resolve();

  /** One write at a time, in order: a device's later state never lands before its earlier one. */
  private runPass(): Promise<void> {
    const next = this.passDone.then(() => this.write());
    this.passDone = next.catch(() => undefined);
    return next;
  }

  private async pass(): Promise<void> {
    if (this.waitingSince !== null && performance.now() - this.waitingSince >= LEFT_BEHIND_MS) await this.runPass();
    const t = this.deps.now();
    if (t - this.lastBeat < HEARTBEAT_MS || this.sockets.size === 0) return;
    this.lastBeat = t;
    await this.deps.db.updateTable('trace_devices').set({ last_seen_at: t }).where('node_id', '=', this.node).where('sockets', '>', 0).execute();
  }

  private async write(): Promise<void> {
    const rows = this.take();
    if (!rows) return;
    try {
      await writeTraceRows(this.deps, rows);
    } catch (err) {
      this.putBack(rows);
      throw err;
    }
  }
}

/** Rows per statement, well under every engine's bound-parameter limit. */
const CHUNK = 200;

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * Writes trace rows through Kysely (the send writer thread has its own prepared statements for
 * the same rows). A device row replaces the session's row unless it only says another node's
 * socket closed while this node took the session over.
 */
export async function writeTraceRows(deps: Pick<Deps, 'db'>, rows: TraceRows): Promise<void> {
  const { db } = deps;
  for (const part of chunks(rows.batches))
    await db
      .insertInto('trace_batches')
      .values(part)
      .onConflict((oc) => oc.column('batch_id').doNothing())
      .execute();
  for (const part of chunks(rows.acks)) await db.insertInto('trace_acks').values(part).execute();
  for (const part of chunks(rows.devices))
    await db
      .insertInto('trace_devices')
      .values(part)
      .onConflict((oc) =>
        oc
          .column('session_id')
          .doUpdateSet((eb) => ({
            user_id: eb.ref('excluded.user_id'),
            node_id: eb.ref('excluded.node_id'),
            sockets: eb.ref('excluded.sockets'),
            connected_at: eb.ref('excluded.connected_at'),
            last_seen_at: eb.ref('excluded.last_seen_at'),
          }))
          .where((eb) => eb.or([eb('trace_devices.node_id', '=', eb.ref('excluded.node_id')), eb('excluded.sockets', '>', 0)])),
      )
      .execute();
}
