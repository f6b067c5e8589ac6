import type { MessageTrace, TraceDevice, TraceRecipient } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { iso, isoOrNull } from '../core/time.js';
import { STALE_MS } from '../presence/service.js';
import { TraceRecorder } from './recorder.js';
import { TraceSweeper } from './sweeper.js';

/** Recipients listed in one trace; a large channel's trace says how many there are in all. */
const MAX_RECIPIENTS = 100;

interface FirstMove {
  at: number;
  node: string;
}

/**
 * "Where did my message go": a message's trace for workspace owners and admins, assembled from
 * its trace row, its batch's times, and the recipients' devices' cursor moves (trace/recorder.ts
 * says how each is written). A message reached a device when the first delivery ack (or read mark)
 * of that device whose seq covers the message's arrived; until then the device is connected and
 * has not acknowledged it, or is offline since its last sight, or signed out, or its member left.
 * Nothing here reads or returns a message's content.
 */
export class TraceService {
  readonly recorder: TraceRecorder;
  readonly sweeper: TraceSweeper;

  constructor(private readonly deps: Deps) {
    this.recorder = new TraceRecorder(deps);
    this.sweeper = new TraceSweeper(deps);
  }

  start(): void {
    this.recorder.start();
    this.sweeper.start();
  }

  async stop(): Promise<void> {
    await this.sweeper.stop();
    await this.recorder.stop();
  }

  async get(actor: Actor, messageId: string): Promise<MessageTrace> {
    // Refused before anything is read: a member learns nothing, not even whether the message exists.
    if (actor.role !== 'owner' && actor.role !== 'admin') throw new AppError('forbidden', 'Only workspace owners and admins can trace messages.');
    if (!this.deps.config.traceEnabled) throw new AppError('not_found', 'Message tracing is off on this server (PARLEY_TRACE=0).');
    const { db } = this.deps;
    // This node's waiting rows first, so what it saw a moment ago is in the answer.
    await this.recorder.flush();
    const tr = await db.selectFrom('message_traces').selectAll().where('message_id', '=', messageId).executeTakeFirst();
    if (!tr) throw new AppError('not_found', 'No trace of that message: no such message, or its trace is older than PARLEY_TRACE_RETENTION.');
    const now = this.deps.now();
    const seq = Number(tr.seq);
    const [batch, message, total, members] = await Promise.all([
      db.selectFrom('trace_batches').selectAll().where('batch_id', '=', tr.batch_id).executeTakeFirst(),
      db.selectFrom('messages').select(['recalled_at', 'burned_at']).where('id', '=', messageId).executeTakeFirst(),
      this.recipients(tr.conv_id, tr.sender_id, seq)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
      this.recipients(tr.conv_id, tr.sender_id, seq)
        .innerJoin('users', 'users.id', 'members.user_id')
        .select(['members.user_id', 'members.read_seq', 'members.left_seq', 'users.username'])
        .orderBy('members.user_id')
        .limit(MAX_RECIPIENTS)
        .execute(),
    ]);
    const userIds = members.map((m) => m.user_id);
    const leftSeqs = members.flatMap((m) => (m.left_seq === null ? [] : [Number(m.left_seq)]));
    const [sessions, moves, leaves] = await Promise.all([
      userIds.length === 0
        ? []
        : db
            .selectFrom('sessions')
            .select(['id', 'user_id', 'device_name', 'revoked_at', 'expires_at', 'last_used_at'])
            .where('user_id', 'in', userIds)
            // Devices gone before the message existed were never its recipients.
            .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>=', tr.written_at)]))
            .where('expires_at', '>=', tr.written_at)
            .orderBy('created_at')
            .execute(),
      userIds.length === 0 ? [] : this.firstMoves(tr.conv_id, seq, userIds),
      leftSeqs.length === 0 ? [] : db.selectFrom('events').select(['seq', 'created_at']).where('conv_id', '=', tr.conv_id).where('seq', 'in', leftSeqs).execute(),
    ]);
    const leftAt = new Map(leaves.map((e) => [Number(e.seq), Number(e.created_at)]));
    // API tokens' sockets ack too; they have no session row.
    const sessionIds = new Set(sessions.map((s) => s.id));
    const others = [...new Set(moves.filter((m) => !sessionIds.has(m.session_id)).map((m) => `${m.user_id}\u0000${m.session_id}`))];
    const allIds = [...sessionIds, ...others.map((k) => k.split('\u0000')[1]!)];
    const devices = allIds.length === 0 ? [] : await db.selectFrom('trace_devices').selectAll().where('session_id', 'in', allIds).execute();
    const deviceOf = new Map(devices.map((d) => [d.session_id, d]));
    const first = new Map<string, FirstMove>();
    for (const m of moves) first.set(`${m.session_id}\u0000${m.kind}`, { at: Number(m.at), node: m.node_id });

    const device = (sessionId: string, name: string | null, left: number | null, session: { revoked_at: number | null; expires_at: number; last_used_at: number } | null): TraceDevice => {
      const acked = first.get(`${sessionId}\u0000delivered`);
      const read = first.get(`${sessionId}\u0000read`);
      // Reading a message on a device is its delivery there too.
      const delivered = acked && read ? (acked.at <= read.at ? acked : read) : (acked ?? read);
      const row = deviceOf.get(sessionId);
      const fresh = row !== undefined && Number(row.sockets) > 0 && Number(row.last_seen_at) > now - STALE_MS;
      const connected = this.recorder.holds(sessionId) || fresh;
      const lastSeen = row ? Number(row.last_seen_at) : (session?.last_used_at ?? null);
      let status: TraceDevice['status'];
      let reason: string | null = null;
      if (read) status = 'read';
      else if (delivered) status = 'delivered';
      else if (session?.revoked_at != null) {
        status = 'signed_out';
        reason = `device signed out at ${iso(Number(session.revoked_at))}`;
      } else if (session && Number(session.expires_at) < now) {
        status = 'signed_out';
        reason = `device session expired at ${iso(Number(session.expires_at))}`;
      } else if (left !== null) {
        status = 'left';
        reason = `member left the conversation${leftAt.has(left) ? ` at ${iso(leftAt.get(left)!)}` : ''} before this device received it`;
      } else if (connected) {
        status = 'sent';
        reason = `connected to ${row?.node_id ?? this.recorder.node} since ${iso(Number(row?.connected_at ?? now))}; not acknowledged yet`;
      } else {
        status = 'pending';
        if (row && Number(row.sockets) > 0) reason = `device offline since ${iso(Number(row.last_seen_at))} (node ${row.node_id} stopped reporting)`;
        else if (row) reason = `device offline since ${iso(Number(row.last_seen_at))}`;
        else reason = `device offline; not connected since the trace began${lastSeen === null ? '' : ` (last signed in ${iso(Number(lastSeen))})`}`;
      }
      return {
        session_id: sessionId,
        device_name: name,
        status,
        delivered_at: delivered ? iso(delivered.at) : null,
        delivered_node: delivered?.node ?? null,
        read_at: read ? iso(read.at) : null,
        connected,
        node: row?.node_id ?? (this.recorder.holds(sessionId) ? this.recorder.node : null),
        last_seen_at: connected ? iso(now) : isoOrNull(lastSeen === null ? null : Number(lastSeen)),
        reason,
      };
    };

    const recipients: TraceRecipient[] = members.map((m) => {
      const left = m.left_seq === null ? null : Number(m.left_seq);
      const own = sessions.filter((s) => s.user_id === m.user_id);
      const list = [
        ...own.map((s) => device(s.id, s.device_name, left, { revoked_at: s.revoked_at, expires_at: Number(s.expires_at), last_used_at: Number(s.last_used_at) })),
        ...others.filter((k) => k.startsWith(`${m.user_id}\u0000`)).map((k) => device(k.split('\u0000')[1]!, null, left, null)),
      ];
      const readTimes = list.flatMap((d) => (d.read_at ? [d.read_at] : [])).sort();
      return {
        user_id: m.user_id,
        username: m.username,
        read: Number(m.read_seq) >= seq,
        read_at: readTimes[0] ?? null,
        left_at: left !== null && leftAt.has(left) ? iso(leftAt.get(left)!) : null,
        devices: list,
      };
    });

    return {
      message_id: tr.message_id,
      conv_id: tr.conv_id,
      seq,
      sender_id: tr.sender_id,
      sender_session_id: tr.session_id,
      message_state: !message ? 'deleted' : message.burned_at !== null ? 'burned' : message.recalled_at !== null ? 'recalled' : 'present',
      accepted_at: iso(Number(tr.accepted_at)),
      written_at: iso(Number(tr.written_at)),
      batch_id: tr.batch_id,
      batch_size: Number(tr.batch_size),
      node: tr.node_id,
      committed_at: batch ? iso(Number(batch.committed_at)) : null,
      published_at: batch ? iso(Number(batch.published_at)) : null,
      recipients,
      recipients_total: Number(total.n),
      generated_at: iso(now),
    };
  }

  /** Members other than the sender whose visible range holds the message (a later leave keeps it). */
  private recipients(convId: string, senderId: string, seq: number) {
    return this.deps.db
      .selectFrom('members')
      .where('members.conv_id', '=', convId)
      .where('members.user_id', '<>', senderId)
      .where('members.visible_from_seq', '<=', seq)
      .where((eb) => eb.or([eb('members.left_seq', 'is', null), eb('members.left_seq', '>', seq)]));
  }

  /** Per device and kind, the first cursor move that covers `seq` (cursors only move forward). */
  private firstMoves(convId: string, seq: number, userIds: string[]) {
    const { db } = this.deps;
    const firsts = db
      .selectFrom('trace_acks')
      .select(['session_id', 'kind', (eb) => eb.fn.min('at').as('first_at')])
      .where('conv_id', '=', convId)
      .where('seq', '>=', seq)
      .where('user_id', 'in', userIds)
      .groupBy(['session_id', 'kind'])
      .as('f');
    return db
      .selectFrom('trace_acks as a')
      .innerJoin(firsts, (j) => j.onRef('a.session_id', '=', 'f.session_id').onRef('a.kind', '=', 'f.kind').onRef('a.at', '=', 'f.first_at'))
      .select(['a.session_id', 'a.user_id', 'a.kind', 'a.at', 'a.node_id'])
      .where('a.conv_id', '=', convId)
      .where('a.seq', '>=', seq)
      .execute();
  }
}
