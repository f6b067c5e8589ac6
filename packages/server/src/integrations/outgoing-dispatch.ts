import type { LogEvent, OutgoingEventKind } from '@parley/protocol';
import { PROTOCOL_LEVEL } from '@parley/protocol';
import type { Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { PassLoop } from '../core/pass-loop.js';
import { Attempts } from '../core/attempts.js';
import { hydrateEvents } from '../sync/hydrate.js';
import type { MessagesService } from '../messages/service.js';
import type { OutgoingWebhooksTable, WebhookDeliveriesTable } from '../store/schema.js';
import { creatorActor, hookActor, mayManageHooks } from './hook-bot.js';
import { postOnce, type OutboundResult } from './outbound-http.js';
import { parsePayload, PayloadError, toMarkdown } from './slack-payload.js';
import { signatureHeaders, slackToken } from './signing.js';

/** Events turned into deliveries per hook per pass. */
const SCAN_BATCH = 200;
/** Attempts one node runs at once; a slow receiver holds one slot, not the others. */
const MAX_IN_FLIGHT = 16;
/** A receiver's answer read for a reply; the rest is ignored. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Retries never wait longer than this between attempts. */
const MAX_BACKOFF_MS = 3_600_000;
/** Once a claim's attempt has timed out, how long before another node may take the delivery over. */
const CLAIM_SLACK_MS = 10_000;
/** How often delivered and dead deliveries older than `outgoingHistoryMs` are deleted. */
const PRUNE_EVERY_MS = 3_600_000;

type Hook = OutgoingWebhooksTable & { kind: string; conv_name: string | null; last_seq: number };

/**
 * Delivers outgoing webhooks from a durable outbox, on every node, without touching the send
 * path. Two steps, each safe to run on several nodes at once:
 *
 * 1. Scan: for each live hook whose conversation's log has moved past its cursor, the events
 *    after the cursor become `webhook_deliveries` rows in the same transaction that moves the
 *    cursor (the move is conditional on the cursor being where this node read it, so exactly one
 *    node's rows land). Nothing is lost in a crash: the log is durable and the cursor only moves
 *    with the rows.
 * 2. Deliver: due rows are claimed by moving their `next_at` past the attempt's deadline (again
 *    conditional, so one node wins); a node that dies mid-attempt leaves a claim that lapses and
 *    another node retries. An attempt is recorded only after the receiver answered, so a receiver
 *    that acknowledged is not sent the delivery again unless someone redelivers it.
 *
 * Woken at once by this node's own commits in conversations with hooks, and every second for
 * the rest (other nodes' commits, due retries).
 */
export class OutgoingDispatcher {
  private readonly loop: PassLoop;
  /** Conversations with a live hook, as of the last scan: this node's commits there wake the dispatcher. */
  private watched = new Set<string>();
  private readonly attempts = new Attempts();
  private lastPrune = 0;
  private unlisten: () => void = () => {};

  constructor(
    private readonly deps: Deps,
    private readonly messages: MessagesService,
  ) {
    this.loop = new PassLoop(
      () => this.pass(),
      (err) => this.deps.log.warn({ err }, 'outgoing webhooks: a pass failed'),
    );
  }

  start(pollMs = 1_000): void {
    if (this.loop.active) return;
    this.attempts.restart();
    this.unlisten = this.deps.publisher.onLog((convId) => {
      if (this.watched.has(convId)) this.loop.kick();
    });
    this.loop.start(pollMs);
  }

  /**
   * Stops scanning; attempts under way get the shutdown grace to finish, then are cut (they count
   * as failed and are retried, here after a restart or by another node), and are recorded before
   * the database closes.
   */
  async stop(): Promise<void> {
    this.unlisten();
    await this.loop.stop();
    await this.attempts.drain(this.deps.config.shutdownGraceMs);
  }

  /** A pass soon (a redelivery is due now). */
  kick(): void {
    this.loop.kick();
  }

  /** One scan and one round of claims; exposed for tests that drive it directly. */
  async pass(): Promise<void> {
    await this.scan();
    await this.claimDue();
    await this.prune();
  }

  private async scan(): Promise<void> {
    // A poll: on the read-only connection (Deps.reads).
    const hooks = (await this.deps.reads
      .selectFrom('outgoing_webhooks as h')
      .innerJoin('conversations as c', 'c.id', 'h.conv_id')
      .selectAll('h')
      .select(['c.kind as kind', 'c.name as conv_name', 'c.last_seq as last_seq'])
      .where('h.revoked_at', 'is', null)
      .execute()) as Hook[];
    this.watched = new Set(hooks.map((h) => h.conv_id));
    for (const hook of hooks) {
      if (!this.loop.active) return;
      if (Number(hook.last_seq) > Number(hook.cursor_seq)) await this.advance(hook);
    }
  }

  private async advance(hook: Hook): Promise<void> {
    const { db, now, config } = this.deps;
    const from = Number(hook.cursor_seq);
    const to = Math.min(Number(hook.last_seq), from + SCAN_BATCH);
    // The hook sees no more than its creator may manage now: a creator who left the conversation,
    // lost the role or was deactivated stops it (its events are passed over, not queued).
    const creator = await creatorActor(this.deps, hook.created_by);
    const allowed = creator !== null && (await mayManageHooks(db, creator, hook.conv_id));
    const rows: WebhookDeliveriesTable[] = [];
    if (allowed) {
      const stored = await db.selectFrom('events').selectAll().where('conv_id', '=', hook.conv_id).where('seq', '>', from).where('seq', '<=', to).orderBy('seq').execute();
      const events = await hydrateEvents(db, stored);
      const wanted = events.map((e) => ({ e, match: matches(hook, e) })).filter((x): x is { e: LogEvent; match: Match } => x.match !== null);
      const actorIds = [...new Set(wanted.map((x) => x.e.actor_id))];
      const actors = new Map(
        actorIds.length === 0 ? [] : (await db.selectFrom('users').select(['id', 'username', 'display_name', 'bot_owner_id']).where('id', 'in', actorIds).execute()).map((u) => [u.id, u] as const),
      );
      const t = now();
      for (const { e, match } of wanted) {
        const id = newId();
        const who = actors.get(e.actor_id);
        const actor = { id: e.actor_id, username: who?.username ?? '', display_name: who?.display_name ?? '', is_bot: who?.bot_owner_id != null };
        rows.push({
          id,
          hook_id: hook.id,
          seq: e.seq,
          event_type: e.type,
          payload: hook.format === 'slack' ? slackFields(hook, e, actor, match.triggerWord) : jsonPayload(hook, id, e, actor, match.triggerWord),
          state: 'pending',
          attempts: 0,
          next_at: t,
          retry_until: t + config.outgoingRetryForMs,
          created_at: t,
          last_attempt_at: null,
          delivered_at: null,
          status_code: null,
          error: null,
          latency_ms: null,
        });
      }
    }
    await db.transaction().execute(async (trx) => {
      const moved = await trx.updateTable('outgoing_webhooks').set({ cursor_seq: to }).where('id', '=', hook.id).where('cursor_seq', '=', from).executeTakeFirst();
      // Another node moved it first: its rows are the ones.
      if (Number(moved.numUpdatedRows) !== 1) return;
      for (let i = 0; i < rows.length; i += 50)
        await trx
          .insertInto('webhook_deliveries')
          .values(rows.slice(i, i + 50))
          .execute();
    });
  }

  private async claimDue(): Promise<void> {
    const { db, now, config } = this.deps;
    const room = MAX_IN_FLIGHT - this.attempts.size;
    if (room <= 0 || !this.loop.active) return;
    const t = now();
    // A poll, on the read-only connection (Deps.reads); the claim below is a conditional update.
    const due = await this.deps.reads.selectFrom('webhook_deliveries').selectAll().where('state', '=', 'pending').where('next_at', '<=', t).orderBy('next_at').limit(room).execute();
    for (const d of due) {
      const lease = t + config.outgoingTimeoutMs + CLAIM_SLACK_MS;
      const claimed = await db
        .updateTable('webhook_deliveries')
        .set({ next_at: lease, attempts: Number(d.attempts) + 1, last_attempt_at: t })
        .where('id', '=', d.id)
        .where('state', '=', 'pending')
        .where('next_at', '=', d.next_at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) continue;
      const attempt = this.attempt({ ...d, attempts: Number(d.attempts) + 1 }, lease).catch((err: unknown) =>
        this.deps.log.warn({ err, delivery: d.id }, 'outgoing webhooks: an attempt failed to record'),
      );
      // A slot is free once it settles: more may be due.
      this.attempts.track(attempt, () => this.kick());
    }
  }

  private async attempt(d: WebhookDeliveriesTable, lease: number): Promise<void> {
    const { db, now, config } = this.deps;
    const hook = await db.selectFrom('outgoing_webhooks').selectAll().where('id', '=', d.hook_id).executeTakeFirst();
    if (!hook || hook.revoked_at !== null) {
      await db.updateTable('webhook_deliveries').set({ state: 'dead', error: 'the webhook was revoked' }).where('id', '=', d.id).execute();
      return;
    }
    const body = hook.format === 'slack' ? `token=${encodeURIComponent(slackToken(hook.secret))}&${d.payload}` : d.payload;
    const headers: Record<string, string> = {
      'content-type': hook.format === 'slack' ? 'application/x-www-form-urlencoded' : 'application/json',
      'user-agent': `Parley-Webhooks/${PROTOCOL_LEVEL}`,
      'x-parley-delivery': d.id,
      'x-parley-event': d.event_type,
      ...signatureHeaders(hook.secret, body, now()),
    };
    const r = await postOnce(hook.url, headers, body, {
      timeoutMs: config.outgoingTimeoutMs,
      allowPrivate: config.outgoingAllowPrivate,
      maxResponseBytes: MAX_RESPONSE_BYTES,
      signal: this.attempts.signal,
    });
    const t = now();
    const answered = { status_code: r.status, latency_ms: r.latencyMs };
    if (r.status !== null && r.status >= 200 && r.status < 300) {
      const replyError = await this.postReply(hook, d, r).catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
      // Recorded whatever the claim says: the receiver has it, and must not be sent it again.
      await db
        .updateTable('webhook_deliveries')
        .set({ ...answered, state: 'delivered', delivered_at: t, error: replyError ? `delivered; the reply was not posted: ${replyError}`.slice(0, 500) : null })
        .where('id', '=', d.id)
        .execute();
      return;
    }
    const error = (r.error ?? `the receiver answered ${r.status}${r.body ? `: ${r.body.replace(/\s+/g, ' ').slice(0, 200)}` : ''}`).slice(0, 500);
    const retryable = r.status === null ? !r.refused : r.status === 408 || r.status === 429 || r.status >= 500;
    const backoff = Math.min(MAX_BACKOFF_MS, config.outgoingRetryBaseMs * 2 ** Math.min(30, d.attempts - 1));
    // Equal jitter: never sooner than half the backoff, so a crowd of failures spreads out.
    let delay = backoff / 2 + Math.random() * (backoff / 2);
    if (r.retryAfterMs !== null) delay = Math.min(MAX_BACKOFF_MS, Math.max(delay, r.retryAfterMs));
    const dead = !retryable || t + delay > Number(d.retry_until);
    await db
      .updateTable('webhook_deliveries')
      .set({
        ...answered,
        state: dead ? 'dead' : 'pending',
        next_at: dead ? t : Math.round(t + delay),
        error: dead && retryable ? `gave up after ${d.attempts} attempts: ${error}`.slice(0, 500) : error,
      })
      .where('id', '=', d.id)
      // Only while this node's claim holds: after it lapsed, another node owns the row.
      .where('next_at', '=', lease)
      .execute();
    if (!dead) setTimeout(() => this.kick(), delay + 5).unref();
  }

  /**
   * A receiver may answer with a Slack-shaped body (`{text}`, attachments, blocks): it is posted
   * as the hook's bot, in the thread when the message that triggered it was in one. Its
   * client_msg_id is the delivery's, so a redelivery does not post it twice.
   */
  private async postReply(hook: OutgoingWebhooksTable, d: WebhookDeliveriesTable, r: OutboundResult): Promise<string | null> {
    if (!/json/i.test(r.contentType) || r.body.trim() === '') return null;
    let raw: unknown;
    try {
      raw = JSON.parse(r.body);
    } catch {
      return 'the answer is not valid JSON';
    }
    if (raw === null || typeof raw !== 'object' || Object.keys(raw).length === 0) return null;
    let text: string;
    try {
      text = toMarkdown(parsePayload(raw), () => undefined);
    } catch (e) {
      if (e instanceof PayloadError) return null;
      throw e;
    }
    if (text.trim() === '') return null;
    const actor = await hookActor(this.deps, hook);
    if (!actor) return 'the webhook’s bot or its creator is deactivated';
    const trigger =
      d.event_type === 'message.created' ? await this.deps.db.selectFrom('events').select('message_id').where('conv_id', '=', hook.conv_id).where('seq', '=', d.seq).executeTakeFirst() : undefined;
    const inThread = trigger?.message_id ? await this.deps.db.selectFrom('messages').select('thread_root_id').where('id', '=', trigger.message_id).executeTakeFirst() : undefined;
    try {
      await this.messages.send(actor, {
        conv_id: hook.conv_id,
        client_msg_id: `hookreply_${d.id}`,
        body: text.slice(0, this.deps.config.limits.maxMessageChars),
        ...(inThread?.thread_root_id && trigger?.message_id ? { reply_to: trigger.message_id } : {}),
      });
    } catch (e) {
      if (e instanceof AppError) return e.message;
      throw e;
    }
    return null;
  }

  private async prune(): Promise<void> {
    const { db, now, config } = this.deps;
    const t = now();
    if (t - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = t;
    await db
      .deleteFrom('webhook_deliveries')
      .where('state', '!=', 'pending')
      .where('created_at', '<', t - config.outgoingHistoryMs)
      .execute();
  }
}

interface Match {
  triggerWord: string | null;
}

const KIND_OF: Partial<Record<LogEvent['type'], OutgoingEventKind>> = {
  'message.created': 'message',
  'reaction.changed': 'reaction',
  'member.joined': 'member_joined',
};

/** Whether the hook wants this event: its kind, not the hook's own bot (no loops), trigger words for messages. */
export function matches(hook: Pick<OutgoingWebhooksTable, 'events' | 'trigger_words' | 'bot_user_id'>, e: LogEvent): Match | null {
  const kind = KIND_OF[e.type];
  if (!kind || !(JSON.parse(hook.events) as string[]).includes(kind)) return null;
  if (e.actor_id === hook.bot_user_id) return null;
  if (e.type === 'member.joined') return e.user.id === hook.bot_user_id ? null : { triggerWord: null };
  if (e.type !== 'message.created') return { triggerWord: null };
  // A burn message goes to no integration: its content is for its readers' reveals alone.
  if (e.message.recalled || e.message.burn) return null;
  const words = JSON.parse(hook.trigger_words) as string[];
  if (words.length === 0) return { triggerWord: null };
  const first = e.message.body.trimStart().split(/\s/, 1)[0]!.toLowerCase();
  const hit = words.find((w) => w.toLowerCase() === first);
  return hit === undefined ? null : { triggerWord: hit };
}

interface ActorInfo {
  id: string;
  username: string;
  display_name: string;
  is_bot: boolean;
}

/** Parley's own body: the event exactly as a socket client receives it, with who and where spelled out. */
function jsonPayload(hook: Hook, deliveryId: string, e: LogEvent, actor: ActorInfo, triggerWord: string | null): string {
  return JSON.stringify({
    type: e.type,
    hook_id: hook.id,
    delivery_id: deliveryId,
    conversation: { id: hook.conv_id, kind: hook.kind, name: hook.conv_name },
    actor,
    text: e.type === 'message.created' ? e.message.body : null,
    trigger_word: triggerWord,
    event: e,
  });
}

/** Slack's outgoing-webhook form fields (the `token` is added when sent, so a rotation applies to queued deliveries). */
function slackFields(hook: Hook, e: LogEvent, actor: ActorInfo, triggerWord: string | null): string {
  if (e.type !== 'message.created') return '';
  const at = Date.parse(e.message.created_at);
  return new URLSearchParams({
    team_id: 'parley',
    team_domain: 'parley',
    channel_id: hook.conv_id,
    channel_name: hook.conv_name ?? hook.kind,
    timestamp: (at / 1000).toFixed(6),
    user_id: actor.id,
    user_name: actor.username,
    text: e.message.body,
    trigger_word: triggerWord ?? '',
    message_id: e.message.id,
    thread_root_id: e.message.thread_root_id ?? '',
  }).toString();
}
