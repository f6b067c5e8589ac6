import { defaultNotifyLevel, levelNotifies, type PushPayload } from '@parley/protocol';
import { sql } from 'kysely';
import webpush from 'web-push';
import type { Deps } from '../core/context.js';
import { newId } from '../core/ids.js';
import { PassLoop } from '../core/pass-loop.js';
import { Attempts } from '../core/attempts.js';
import { iso } from '../core/time.js';
import { postOnce } from '../integrations/outbound-http.js';
import { STALE_MS } from '../presence/service.js';
import type { ConversationsTable, PushDeliveriesTable } from '../store/schema.js';
import type { PushService } from './service.js';
import { prepared } from '../store/prepared.js';

/** Events of one conversation turned into deliveries per pass. */
const SCAN_BATCH = 200;
/** Conversations scanned per pass. */
const CONVS_PER_PASS = 100;
/** Deliveries attempted at once on one node. */
const MAX_IN_FLIGHT = 16;
/** A claimed attempt another node may take over after this (it timed out, or its node died). */
const CLAIM_SLACK_MS = 10_000;
const MAX_BACKOFF_MS = 300_000;
/** The first line of a message, as much as a notification shows. */
const PREVIEW_CHARS = 160;
/**
 * Passes start at least this far apart. Every committed send batch kicks a pass: under load that
 * was a pass per batch, up to ~400 a second at 6,000 DMs/s, and their two reads alone took ~5 % of
 * a core (measured). A push goes to a device with no socket open, through a push service that
 * takes far longer than this to reach it.
 */
const PASS_GAP_MS = 100;

/**
 * Web Push for members with no Parley tab or app open, to every browser they subscribed, unless
 * they read it already: as their level in the conversation says (`membership.notify`: every
 * message, only mentions — the default in channels — or nothing), and never while their Do Not
 * Disturb lasts: not for a message sent during it, not at an attempt made during it.
 *
 * Durable the way outgoing webhooks are (integrations/outgoing-dispatch.ts): a cursor per
 * conversation over its log, moved in the transaction that inserts the deliveries, so every
 * message is considered once across nodes and restarts; the deliveries are an outbox retried with
 * backoff until `PARLEY_PUSH_TTL`. A delivery names its message, never its text: the payload is
 * built at the attempt from the message as it is then, so a message recalled or burned in
 * between is not sent, and a burn-after-reading message's text never is (messages/burn.ts).
 * Encrypted per RFC 8291 (aes128gcm) and signed with the server's VAPID key by `web-push`; sent
 * with the outgoing webhooks' HTTP client, which refuses private addresses unless allowed.
 */
export class PushDispatcher {
  private readonly loop: PassLoop;
  private readonly attempts = new Attempts();
  private unlisten: () => void = () => {};

  constructor(
    private readonly deps: Deps,
    private readonly push: PushService,
  ) {
    this.loop = new PassLoop(
      () => this.pass(),
      (err) => this.deps.log.warn({ err }, 'web push: a pass failed'),
      PASS_GAP_MS,
    );
  }

  start(pollMs = 1_000): void {
    if (this.loop.active) return;
    this.attempts.restart();
    this.unlisten = this.deps.publisher.onLog(() => this.loop.kick());
    this.loop.start(pollMs);
  }

  async stop(): Promise<void> {
    this.unlisten();
    await this.loop.stop();
    await this.attempts.drain(this.deps.config.shutdownGraceMs);
  }

  /** One pass: turn new messages into deliveries, then attempt what is due. Tests call it to not wait for the loop. */
  async pass(): Promise<void> {
    await this.scan();
    await this.deliverDue();
  }

  private async scan(): Promise<void> {
    // Conversations whose log moved past their cursor and that have a member who could be pushed to
    // (a poll: on the read-only connection, Deps.reads). Found from the subscriptions' users and
    // their memberships: a pass runs after every burst of messages, and walking every
    // conversation to test each for a subscribed member cost each pass O(all conversations), even
    // in a workspace where nobody subscribed (~5 % of the event loop under the dm benchmark).
    // Both of a pass's reads are prepared: building them each time cost more than running them.
    const convs = await pendingConversations(this.deps.reads, {});
    for (const c of convs) {
      if (!this.loop.active) return;
      await this.scanConversation({ id: c.id, kind: c.kind, lastSeq: Number(c.last_seq), cursor: c.cursor === null ? null : Number(c.cursor) });
    }
  }

  private async scanConversation(c: { id: string; kind: ConversationsTable['kind']; lastSeq: number; cursor: number | null }): Promise<void> {
    const { db, config, now } = this.deps;
    const t = now();
    // A conversation seen for the first time starts near its end: history is not news.
    const from = c.cursor ?? Math.max(0, c.lastSeq - SCAN_BATCH);
    const to = Math.min(c.lastSeq, from + SCAN_BATCH);
    const created = await db
      .selectFrom('events as e')
      .innerJoin('messages as msg', 'msg.id', 'e.message_id')
      .select(['msg.id', 'msg.seq', 'msg.sender_id', 'msg.mentions_all', 'msg.recalled_at', 'msg.burned_at', 'msg.created_at'])
      .where('e.conv_id', '=', c.id)
      .where('e.seq', '>', from)
      .where('e.seq', '<=', to)
      .where('e.type', '=', 'message.created')
      .where('e.created_at', '>=', t - config.pushTtlMs)
      .execute();
    const rows: PushDeliveriesTable[] = [];
    const live = created.filter((m) => m.recalled_at === null && m.burned_at === null);
    // Two reads for the whole batch, not two per message: who could be pushed to at all (most
    // conversations have nobody with a subscription and stop here), then the batch's mentions.
    const fresh = t - STALE_MS;
    const candidates =
      live.length === 0
        ? []
        : await db
            .selectFrom('members as mb')
            .innerJoin('push_subscriptions as s', 's.user_id', 'mb.user_id')
            .innerJoin('users as u', 'u.id', 'mb.user_id')
            .leftJoin('sessions as se', 'se.id', 's.session_id')
            .select(['s.id as subscription_id', 'mb.user_id', 'mb.notify', 'mb.visible_from_seq', 'mb.read_seq', 'u.dnd_until'])
            .where('mb.conv_id', '=', c.id)
            .where('mb.left_seq', 'is', null)
            // A subscription outlives neither its device session's sign-out nor its revocation.
            .where((eb) => eb.or([eb('s.session_id', 'is', null), eb.and([eb('se.revoked_at', 'is', null), eb('se.expires_at', '>', t)])]))
            // Nobody with a socket open anywhere: their tab or app shows it already.
            .where(({ not, exists, selectFrom }) =>
              not(exists(selectFrom('presence as p').select('p.user_id').whereRef('p.user_id', '=', 'mb.user_id').where('p.sockets', '>', 0).where('p.updated_at', '>', fresh))),
            )
            .execute();
    const mentioned = new Set<string>();
    if (candidates.length > 0) {
      const found = await db
        .selectFrom('mentions')
        .select(['message_id', 'user_id'])
        .where(
          'message_id',
          'in',
          live.map((m) => m.id),
        )
        .execute();
      for (const r of found) mentioned.add(`${r.message_id}:${r.user_id}`);
    }
    for (const m of candidates.length > 0 ? live : []) {
      const seq = Number(m.seq);
      const everyone = Number(m.mentions_all) === 1;
      const sentAt = Number(m.created_at);
      for (const r of candidates) {
        if (r.user_id === m.sender_id || Number(r.visible_from_seq) > seq || Number(r.read_seq) >= seq) continue;
        const mention = everyone || mentioned.has(`${m.id}:${r.user_id}`);
        if (!levelNotifies(r.notify ?? defaultNotifyLevel(c.kind), mention)) continue;
        // Do Not Disturb that lasted past the message (it holds now, or ended since; turned off
        // early, it ended at that moment, notifications/service.ts): it was sent during it.
        if (r.dnd_until !== null && Number(r.dnd_until) > sentAt) continue;
        rows.push({ id: newId(), subscription_id: r.subscription_id, message_id: m.id, mention: mention ? 1 : 0, attempts: 0, next_at: t, expires_at: t + config.pushTtlMs, created_at: t });
      }
    }
    const moved = await db.transaction().execute(async (trx) => {
      if (c.cursor === null) {
        const made = await trx
          .insertInto('push_cursors')
          .values({ conv_id: c.id, seq: to })
          .onConflict((oc) => oc.column('conv_id').doNothing())
          .executeTakeFirst();
        // Another node made it first (its deliveries are the ones): an insert that did nothing.
        if (made.numInsertedOrUpdatedRows !== undefined && Number(made.numInsertedOrUpdatedRows) !== 1) return false;
      } else {
        // Another node moved it first: its deliveries are the ones.
        const res = await trx.updateTable('push_cursors').set({ seq: to }).where('conv_id', '=', c.id).where('seq', '=', c.cursor).executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return false;
      }
      for (let i = 0; i < rows.length; i += 100)
        await trx
          .insertInto('push_deliveries')
          .values(rows.slice(i, i + 100))
          .execute();
      return true;
    });
    if (moved && rows.length > 0) this.deps.log.debug({ conv_id: c.id, deliveries: rows.length }, 'web push: queued');
  }

  private async deliverDue(): Promise<void> {
    const { db, config, now } = this.deps;
    const room = MAX_IN_FLIGHT - this.attempts.size;
    if (room <= 0) return;
    const t = now();
    const due = await dueDeliveries(this.deps.reads, { t, room });
    for (const d of due) {
      // Claimed by moving next_at past the attempt: one node wins.
      const claimedUntil = t + config.outgoingTimeoutMs + CLAIM_SLACK_MS;
      const res = await db.updateTable('push_deliveries').set({ next_at: claimedUntil }).where('id', '=', d.id).where('next_at', '=', d.next_at).executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) continue;
      const attempt = this.attempt({ ...d, attempts: Number(d.attempts), expires_at: Number(d.expires_at) }).catch((err: unknown) => this.deps.log.warn({ err }, 'web push: an attempt failed'));
      this.attempts.track(attempt, () => this.loop.kick());
    }
  }

  private async attempt(d: PushDeliveriesTable): Promise<void> {
    const { db, config, now } = this.deps;
    const drop = () => db.deleteFrom('push_deliveries').where('id', '=', d.id).execute();
    const sub = await db.selectFrom('push_subscriptions').selectAll().where('id', '=', d.subscription_id).executeTakeFirst();
    if (!sub) return void (await drop());
    const payload = await this.payload(d, sub.user_id);
    if (!payload) return void (await drop());
    const keys = await this.push.vapid();
    const ttlSec = Math.max(0, Math.floor((d.expires_at - now()) / 1000));
    const request = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, JSON.stringify(payload), {
      vapidDetails: { subject: this.subject(), publicKey: keys.publicKey, privateKey: keys.privateKey },
      TTL: ttlSec,
      contentEncoding: 'aes128gcm',
      urgency: d.mention ? 'high' : 'normal',
      // One notification per conversation waits at the push service: a newer one replaces it.
      topic: payload.conv_id,
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = String(v);
    const r = await postOnce(request.endpoint, headers, request.body ?? Buffer.alloc(0), {
      timeoutMs: config.outgoingTimeoutMs,
      allowPrivate: config.outgoingAllowPrivate,
      maxResponseBytes: 4096,
      signal: this.attempts.signal,
    });
    const t = now();
    const pushes = this.deps.metrics.pushes;
    if (r.status !== null && r.status >= 200 && r.status < 300) {
      pushes.inc({ outcome: 'sent' });
      await drop();
      await db.updateTable('push_subscriptions').set({ last_sent_at: t }).where('id', '=', sub.id).execute();
      return;
    }
    // The browser unsubscribed or the subscription expired: it is gone for good (RFC 8030 §7.3).
    if (r.status === 404 || r.status === 410) {
      pushes.inc({ outcome: 'gone' });
      await db.deleteFrom('push_subscriptions').where('id', '=', sub.id).execute();
      this.deps.log.info({ subscription: sub.id, status: r.status }, 'web push: the push service forgot a subscription; removed');
      return;
    }
    const retryable = r.status === null ? !r.refused : r.status === 429 || r.status >= 500;
    const wait = r.retryAfterMs ?? Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** d.attempts);
    if (!retryable || t + wait > d.expires_at) {
      pushes.inc({ outcome: 'dropped' });
      this.deps.log.info({ subscription: sub.id, status: r.status, error: r.error }, 'web push: a notification was given up');
      await drop();
      return;
    }
    pushes.inc({ outcome: 'retry' });
    await db
      .updateTable('push_deliveries')
      .set({ attempts: d.attempts + 1, next_at: t + wait })
      .where('id', '=', d.id)
      .execute();
  }

  /** What the notification says, from the message as it is now; null when there is nothing to say any more. */
  private async payload(d: PushDeliveriesTable, userId: string): Promise<PushPayload | null> {
    const { db } = this.deps;
    const m = await db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', 'c.id', 'm.conv_id')
      .innerJoin('users as u', 'u.id', 'm.sender_id')
      .innerJoin('members as mb', (j) => j.onRef('mb.conv_id', '=', 'm.conv_id').on('mb.user_id', '=', userId))
      .select([
        'm.id',
        'm.conv_id',
        'm.seq',
        'm.body',
        'm.created_at',
        'm.recalled_at',
        'm.burn_after_ms',
        'm.burned_at',
        'c.kind',
        'c.name',
        'u.display_name',
        'mb.left_seq',
        'mb.read_seq',
        'mb.notify',
      ])
      .where('m.id', '=', d.message_id)
      .executeTakeFirst();
    // Recalled, burned, read meanwhile, or the reader left: nothing to tell.
    if (!m || m.recalled_at !== null || m.burned_at !== null || m.left_seq !== null || Number(m.read_seq) >= Number(m.seq)) return null;
    // The reader chose to hear less of this conversation meanwhile.
    if (!levelNotifies(m.notify ?? defaultNotifyLevel(m.kind), d.mention === 1)) return null;
    const user = await db.selectFrom('users').select(['push_previews', 'dnd_until']).where('id', '=', userId).executeTakeFirst();
    // Do Not Disturb began meanwhile (a retry, a slow queue): not now.
    if (user?.dnd_until != null && Number(user.dnd_until) > this.deps.now()) return null;
    const where = m.kind === 'channel' ? ` in #${m.name ?? ''}` : m.kind === 'group' ? ` in ${m.name ?? 'a group'}` : '';
    const firstLine = m.body.split('\n').find((l) => l.trim() !== '') ?? '';
    const kind: PushPayload['kind'] = m.burn_after_ms !== null ? 'burn' : Number(user?.push_previews ?? 1) === 1 && firstLine !== '' ? 'preview' : 'hidden';
    const body =
      kind === 'burn'
        ? 'a message that burns after reading'
        : kind === 'preview'
          ? firstLine.length > PREVIEW_CHARS
            ? `${firstLine.slice(0, PREVIEW_CHARS - 1)}…`
            : firstLine
          : d.mention
            ? 'mentioned you'
            : 'sent a message';
    return {
      type: 'message',
      conv_id: m.conv_id,
      message_id: m.id,
      seq: Number(m.seq),
      title: `${m.display_name}${where}`,
      body,
      kind,
      mention: d.mention === 1,
      url: `/c/${m.conv_id}`,
      ts: iso(Number(m.created_at)),
    };
  }

  private subject(): string {
    const { pushSubject, publicUrl } = this.deps.config;
    if (pushSubject) return pushSubject;
    return publicUrl?.startsWith('https://') ? publicUrl : 'mailto:postmaster@localhost';
  }
}

/** Conversations with messages past their push cursor and a member with a subscription. */
const pendingConversations = prepared((db, _p: Record<string, never>) =>
  db
    .selectFrom('conversations as c')
    .leftJoin('push_cursors as pc', 'pc.conv_id', 'c.id')
    .select(['c.id', 'c.kind', 'c.name', 'c.last_seq', 'pc.seq as cursor'])
    .where((eb) => eb('c.last_seq', '>', eb.fn.coalesce('pc.seq', sql<number>`0`)))
    .where('c.id', 'in', (eb) =>
      eb.selectFrom('members as m').select('m.conv_id').where('m.user_id', 'in', eb.selectFrom('push_subscriptions as s').select('s.user_id')).where('m.left_seq', 'is', null),
    )
    .limit(CONVS_PER_PASS),
);

const dueDeliveries = prepared((db, p: { t: number; room: number }) => db.selectFrom('push_deliveries').selectAll().where('next_at', '<=', p.t).orderBy('next_at').limit(p.room));
