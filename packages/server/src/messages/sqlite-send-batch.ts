import type SQLite from 'better-sqlite3';
import type { ErrorBody, ErrorCode } from '@parley/protocol';
import type { Actor } from '../core/context.js';
import { AppError, isStorageUnavailable } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { ConversationsTable, MembersTable, MessagesTable, UploadsTable } from '../store/schema.js';
import { parseMentions } from './mentions.js';
import { parseTags } from '../tags/parse.js';
import { authoriseSend, checkAttachments, checkBody } from './validate.js';
import { encodedCreated } from './created-event.js';
import type { SendInput } from './send-queue.js';
import type { TraceRows } from '../trace/recorder.js';

/** One send of a batch as the main thread hands it over. */
export interface BatchItem {
  actor: Actor;
  input: SendInput;
  /** Over the sender's rate: refused unless it turns out to be a retry of a stored send. */
  overRate: boolean;
  /** When the send joined the queue (message trace). */
  acceptedAt?: number;
}

export interface BatchRequest {
  /** The batch's clock reading (the main thread's, so tests with a fake clock hold). */
  at: number;
  /** Presence rows updated before this are stale: @here skips those members. */
  presentSince: number;
  maxMessageChars: number;
  items: BatchItem[];
  /**
   * The message trace (trace/): each message's trace row names this batch and node, and trace
   * rows waiting on the main thread (earlier batches' times, acks, sockets) ride along in this
   * transaction. Absent: no trace rows.
   */
  trace?: { batchId: string; node: string; rows: TraceRows | null };
}

/** A send's outcome, in its item's position. */
export type ItemResult =
  /** Written: the ack encoded (SendAck), and the `message.created` event encoded once for every recipient. */
  | { kind: 'sent'; id: string; convId: string; seq: number; ack: string; frame: string }
  /**
   * An earlier send with this client_msg_id exists; the main thread builds the duplicate ack from
   * it. `tokenPassed`: the rate token charged for this retry went to a later send of the same
   * user in the batch (see SpareTokens), so it is not given back.
   */
  | { kind: 'duplicate'; row: MessagesTable; tokenPassed?: true }
  | { kind: 'over_rate' }
  | { kind: 'failed'; error: WireError };

/**
 * A retry is never charged: the event loop charges every send of a batch as it goes out, and gives
 * a retry's token back once the writer has found it stored. Inside one batch that is too late for
 * a later send of the same user that the charge found over the rate (one socket pipelines its
 * sends, so a reconnect's retries and a new send share a batch). So a charged retry's token passes
 * to the next such send, as if the retry had been answered first; the retry then keeps it spent.
 */
class SpareTokens {
  /** Per user: positions of charged retries whose token nobody has taken yet. */
  private readonly spare = new Map<string, number[]>();
  /** Position of a send that took a retry's token → the retry's position. */
  private readonly passed = new Map<number, number>();

  offer(userId: string, position: number): void {
    const list = this.spare.get(userId);
    if (list) list.push(position);
    else this.spare.set(userId, [position]);
  }

  claim(userId: string, position: number): boolean {
    const from = this.spare.get(userId)?.shift();
    if (from === undefined) return false;
    this.passed.set(position, from);
    return true;
  }

  /** Marks the retries whose token a written send took; a send that failed after all leaves the token to be given back. */
  settle(out: ItemResult[]): void {
    for (const [to, from] of this.passed) {
      const retry = out[from];
      if (out[to]?.kind === 'sent' && retry?.kind === 'duplicate') out[from] = { ...retry, tokenPassed: true };
    }
  }
}

/** Where a send sits in its batch, for SpareTokens. */
interface Slot {
  position: number;
  tokens: SpareTokens;
}

/**
 * `ok: false`: nothing of the batch was written (the storage is unavailable, or the only send's
 * write failed). `replayedAfter`: one send's write failed, so the batch was written again with a
 * savepoint per send; the error that caused it, for the log.
 */
export type BatchReply =
  | { ok: true; results: ItemResult[]; replayedAfter: WireError | null; committedAt?: number; /** Trace rows that rode along and failed to write (dropped). */ traceDropped?: WireError | null }
  | { ok: false; error: WireError };

/** A clock both threads share (ms since the epoch, sub-millisecond): when a batch committed, read on the other thread. */
export const sharedClock = (): number => performance.timeOrigin + performance.now();

/** An error as it crosses the thread boundary: an AppError keeps its code, anything else its SQLite code. */
export type WireError = { kind: 'app'; code: ErrorCode; message: string; extra: Omit<ErrorBody, 'code' | 'message'> } | { kind: 'other'; code: string | null; message: string; stack: string | null };

export function toWire(e: unknown): WireError {
  if (e instanceof AppError) return { kind: 'app', code: e.code, message: e.message, extra: e.extra };
  const err = e as { code?: unknown; message?: unknown; stack?: unknown } | null;
  return {
    kind: 'other',
    code: typeof err?.code === 'string' ? err.code : null,
    message: typeof err?.message === 'string' ? err.message : String(e),
    stack: typeof err?.stack === 'string' ? err.stack : null,
  };
}

export function fromWire(w: WireError): Error {
  if (w.kind === 'app') return new AppError(w.code, w.message, w.extra);
  const err = new Error(w.message) as Error & { code?: string };
  if (w.code) err.code = w.code;
  if (w.stack) err.stack = w.stack;
  return err;
}

/** The membership's columns beside the conversation's, null when the sender is not a member. */
interface MemberColumns {
  m_user_id: string | null;
  m_role: MembersTable['role'] | null;
  m_joined_at: number | null;
  m_visible_from_seq: number | null;
  m_left_seq: number | null;
  m_read_seq: number | null;
  m_delivered_seq: number | null;
  m_notify: MembersTable['notify'];
}

/**
 * The sender's membership out of the joined row. The row itself stands for the conversation, its
 * `m_` columns left on it: copying the rest out with a spread cost ~6 % of the writer's time
 * (profiled), and nothing serialises the conversation row whole.
 */
function memberOf(r: ConversationsTable & MemberColumns): MembersTable | null {
  if (r.m_user_id === null) return null;
  return {
    conv_id: r.id,
    user_id: r.m_user_id,
    role: r.m_role!,
    joined_at: r.m_joined_at!,
    visible_from_seq: r.m_visible_from_seq!,
    left_seq: r.m_left_seq,
    read_seq: r.m_read_seq!,
    delivered_seq: r.m_delivered_seq!,
    notify: r.m_notify,
  };
}

/** A send that passed every check, ready to be written. */
interface Plan {
  item: BatchItem;
  conv: ConversationsTable;
  body: string;
  threadRootId: string | null;
  mentioned: string[];
  broadcast: boolean;
  attachments: UploadsTable[];
  /** From the body (added_by null), then the sender's own (kept through edits). */
  bodyTags: string[];
  extraTags: string[];
}

type Checked = Plan | Exclude<ItemResult, { kind: 'sent' }>;

/**
 * Group commit for the embedded database, run on the send writer's thread with its own
 * connection (messages/sqlite-send.ts hands batches over and publishes the results). Sends that
 * arrived while the previous batch was being written share one transaction, so one fsync makes a
 * whole batch durable. Every send is checked (reads only) before it writes, so one refused send
 * (not a member, bad reply target…) never takes its batch-mates down; a storage failure (disk
 * full, I/O error) fails the whole batch. Should a write fail for any other reason, the batch is
 * rolled back and replayed with a savepoint per send, so only that send fails (savepoints for
 * every send cost ~10% of throughput, measured).
 *
 * Why not Kysely here: a send is about ten statements, and building and preparing them through
 * the query builder each time cost ~1 ms of CPU per message (profiled). These are prepared once.
 */
export class SendBatchWriter {
  private readonly st;
  /** Writes trace rows riding with a batch; the error when they could not be written (they are dropped). */
  private readonly writeTrace: (rows: TraceRows) => WireError | null;
  private traceError: WireError | null = null;
  private readonly isolated: (p: BatchItem, req: BatchRequest, slot: Slot) => ItemResult;
  private readonly runBatch: SQLite.Transaction<(req: BatchRequest, isolate: boolean) => ItemResult[]>;

  constructor(sqlite: SQLite.Database) {
    const p = <R>(sql: string) => sqlite.prepare<unknown[], R>(sql);
    this.st = {
      byClientId: p<MessagesTable>('SELECT * FROM messages WHERE sender_id = ? AND client_msg_id = ?'),
      // The conversation and the sender's membership in one statement (each costs ~4 µs a message).
      convAndMember: p<ConversationsTable & MemberColumns>(
        `SELECT c.*, m.role AS m_role, m.joined_at AS m_joined_at, m.visible_from_seq AS m_visible_from_seq, m.left_seq AS m_left_seq,
                m.read_seq AS m_read_seq, m.delivered_seq AS m_delivered_seq, m.notify AS m_notify, m.user_id AS m_user_id
         FROM conversations c LEFT JOIN members m ON m.conv_id = c.id AND m.user_id = ? WHERE c.id = ?`,
      ),
      message: p<MessagesTable>('SELECT * FROM messages WHERE id = ?'),
      // Named members, and with @here (? = 1) every other member online now: a fresh presence row
      // that is not away, the rule of PresenceService.many().
      mentioned: p<{ id: string }>(
        `SELECT users.id FROM users JOIN members ON members.user_id = users.id
         WHERE members.conv_id = ? AND members.left_seq IS NULL
           AND (users.username IN (SELECT value FROM json_each(?))
                OR (? = 1 AND members.user_id <> ? AND EXISTS (
                      SELECT 1 FROM presence WHERE presence.user_id = members.user_id AND presence.away = 0 AND presence.updated_at > ?)))`,
      ),
      bumpSeq: p<{ last_seq: number }>('UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq'),
      insertEvent: p<never>("INSERT INTO events (conv_id, seq, type, actor_id, message_id, data, created_at) VALUES (?, ?, 'message.created', ?, ?, '{}', ?)"),
      insertMessage: p<never>(
        `INSERT INTO messages (id, conv_id, seq, sender_id, client_msg_id, body, reply_to, thread_root_id, reply_count, last_reply_at, mentions_all, created_at, edited_at, recalled_at, recalled_by,
                               burn_after_ms, burn_expires_at, burns_at, burned_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, NULL, NULL, NULL, ?, ?, ?, NULL)`,
      ),
      insertMention: p<never>('INSERT INTO mentions (message_id, conv_id, seq, user_id) VALUES (?, ?, ?, ?)'),
      insertTag: p<never>('INSERT INTO message_tags (message_id, conv_id, seq, tag, added_by, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      upload: p<UploadsTable>('SELECT * FROM uploads WHERE id = ?'),
      // The IS NULL guard makes attaching once a property of the write, not only of the check.
      attach: p<never>('UPDATE uploads SET message_id = ?, attach_pos = ? WHERE id = ? AND message_id IS NULL'),
      queueForSearch: p<never>('INSERT INTO search_queue (message_id) VALUES (?)'),
      bumpRoot: p<{ reply_count: number; last_reply_at: number }>('UPDATE messages SET reply_count = reply_count + 1, last_reply_at = ? WHERE id = ? RETURNING reply_count, last_reply_at'),
      insertTrace: p<never>(
        'INSERT INTO message_traces (message_id, conv_id, seq, sender_id, session_id, accepted_at, written_at, batch_id, batch_size, node_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      traceBatch: p<never>('INSERT INTO trace_batches (batch_id, node_id, committed_at, published_at) VALUES (?, ?, ?, ?) ON CONFLICT (batch_id) DO NOTHING'),
      traceAck: p<never>('INSERT INTO trace_acks (conv_id, session_id, user_id, kind, seq, at, node_id) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      // The same rule as trace/recorder.ts writeTraceRows: another node's close never undoes this node's takeover.
      traceDevice: p<never>(
        `INSERT INTO trace_devices (session_id, user_id, node_id, sockets, connected_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET user_id = excluded.user_id, node_id = excluded.node_id, sockets = excluded.sockets,
           connected_at = excluded.connected_at, last_seen_at = excluded.last_seen_at
         WHERE trace_devices.node_id = excluded.node_id OR excluded.sockets > 0`,
      ),
    };
    // A savepoint of its own: trace rows that fail to write are dropped (logged by the main
    // thread), never the sends they ride with. Only a storage failure fails the batch.
    const traceRows = sqlite.transaction((rows: TraceRows) => {
      const st = this.st;
      for (const b of rows.batches) st.traceBatch.run(b.batch_id, b.node_id, b.committed_at, b.published_at);
      for (const a of rows.acks) st.traceAck.run(a.conv_id, a.session_id, a.user_id, a.kind, a.seq, a.at, a.node_id);
      for (const d of rows.devices) st.traceDevice.run(d.session_id, d.user_id, d.node_id, d.sockets, d.connected_at, d.last_seen_at);
    });
    this.writeTrace = (rows) => {
      try {
        traceRows(rows);
        return null;
      } catch (e) {
        if (isStorageUnavailable(e)) throw e;
        return toWire(e);
      }
    };
    // Nested inside the batch's transaction, better-sqlite3 runs this one as a SAVEPOINT.
    this.isolated = sqlite.transaction((item: BatchItem, req: BatchRequest, slot: Slot) => this.send(item, req, slot));
    this.runBatch = sqlite.transaction((req: BatchRequest, isolate: boolean) => {
      const out: ItemResult[] = [];
      const tokens = new SpareTokens();
      if (req.trace?.rows) this.traceError = this.writeTrace(req.trace.rows);
      for (const item of req.items) {
        const slot = { position: out.length, tokens };
        if (isolate) {
          try {
            out.push(this.isolated(item, req, slot));
          } catch (e) {
            if (isStorageUnavailable(e)) throw e;
            out.push({ kind: 'failed', error: toWire(e) });
          }
          continue;
        }
        let checked: Checked;
        try {
          checked = this.check(item, req, slot);
        } catch (e) {
          if (isStorageUnavailable(e)) throw e;
          out.push({ kind: 'failed', error: toWire(e) });
          continue;
        }
        // A write that fails here throws out of the batch: see run().
        out.push('item' in checked ? this.apply(checked, req) : checked);
      }
      tokens.settle(out);
      return out;
    });
  }

  /** Writes one batch in one transaction (one commit, one fsync). Never throws. */
  run(req: BatchRequest): BatchReply {
    this.traceError = null;
    try {
      return { ok: true, results: this.runBatch.immediate(req, false), replayedAfter: null, committedAt: sharedClock(), traceDropped: this.traceError };
    } catch (e) {
      // Rolled back. Not the storage: one send's write failed; replay with a savepoint each.
      if (isStorageUnavailable(e) || req.items.length === 1) return { ok: false, error: toWire(e) };
      try {
        return { ok: true, results: this.runBatch.immediate(req, true), replayedAfter: toWire(e), committedAt: sharedClock(), traceDropped: this.traceError };
      } catch (again) {
        return { ok: false, error: toWire(again) };
      }
    }
  }

  private send(item: BatchItem, req: BatchRequest, slot: Slot): ItemResult {
    const checked = this.check(item, req, slot);
    return 'item' in checked ? this.apply(checked, req) : checked;
  }

  /** Reads only: the same checks, in the same order, as the PostgreSQL path. */
  private check(item: BatchItem, req: BatchRequest, slot: Slot): Checked {
    const { actor, input } = item;
    const st = this.st;
    const prior = st.byClientId.get(actor.userId, input.client_msg_id);
    if (prior) {
      if (!item.overRate) slot.tokens.offer(actor.userId, slot.position);
      return { kind: 'duplicate', row: prior };
    }
    if (item.overRate && !slot.tokens.claim(actor.userId, slot.position)) return { kind: 'over_rate' };
    const body = checkBody(input.body, req.maxMessageChars, (input.attachments?.length ?? 0) > 0);
    const joined = st.convAndMember.get(actor.userId, input.conv_id);
    const { conv, threadRootId } = authoriseSend(actor, input, joined, joined ? memberOf(joined) : null, (id) => st.message.get(id));
    // Checked against the database each time: within a batch an earlier send's attach is already written.
    const attachments = checkAttachments(actor, input.attachments, (id) => st.upload.get(id), new Set());
    const parsed = parseMentions(body);
    const mentioned =
      parsed.usernames.length === 0 && !parsed.here
        ? []
        : st.mentioned.all(conv.id, JSON.stringify(parsed.usernames.slice(0, 100)), parsed.here ? 1 : 0, actor.userId, req.presentSince).map((r) => r.id);
    // A burn message's words are kept nowhere but its row: no tags taken from them.
    const bodyTags = input.burn ? [] : parseTags(body);
    const extraTags = (input.tags ?? []).filter((t) => !bodyTags.includes(t));
    return { item, conv, body, threadRootId, mentioned, broadcast: parsed.broadcast, attachments, bodyTags, extraTags };
  }

  /** Writes a checked send and builds its event and ack. */
  private apply({ item, conv, body, threadRootId, mentioned, broadcast, attachments, bodyTags, extraTags }: Plan, req: BatchRequest): ItemResult {
    const { actor, input } = item;
    const st = this.st;
    const id = newId();
    const t = req.at;
    const seq = st.bumpSeq.get(conv.id)!.last_seq;
    st.insertEvent.run(conv.id, seq, actor.userId, id, t);
    const burn = input.burn ?? null;
    st.insertMessage.run(
      id,
      conv.id,
      seq,
      actor.userId,
      input.client_msg_id,
      body,
      input.reply_to ?? null,
      threadRootId,
      broadcast ? 1 : 0,
      t,
      burn?.afterMs ?? null,
      burn?.expiresAt ?? null,
      burn?.expiresAt ?? null,
    );
    for (const u of mentioned) st.insertMention.run(id, conv.id, seq, u);
    for (const tag of bodyTags) st.insertTag.run(id, conv.id, seq, tag, null, t);
    for (const tag of extraTags) st.insertTag.run(id, conv.id, seq, tag, actor.userId, t);
    attachments.forEach((up, pos) => {
      if (st.attach.run(id, pos, up.id).changes !== 1) throw new AppError('conflict', 'That file is already attached to a message.', { field: `/attachments/${pos}` });
    });
    const root = threadRootId ? st.bumpRoot.get(t, threadRootId) : undefined;
    // Queued for the search index in this transaction; the indexer indexes it (search/sqlite-indexer.ts).
    // A burn message is never indexed: an index would keep its words after the burn.
    if (!burn) st.queueForSearch.run(id);
    const trace = req.trace;
    if (trace) st.insertTrace.run(id, conv.id, seq, actor.userId, actor.sessionId, item.acceptedAt ?? t, t, trace.batchId, req.items.length, trace.node);

    const encoded = encodedCreated({
      id,
      convId: conv.id,
      seq,
      senderId: actor.userId,
      clientMsgId: input.client_msg_id,
      body,
      replyTo: input.reply_to ?? null,
      threadRootId,
      mentioned,
      broadcast,
      at: t,
      root: root ?? null,
      attachments,
      tags: [...bodyTags, ...extraTags],
      burn,
    });
    return { kind: 'sent', id, convId: conv.id, seq, ...encoded };
  }
}
