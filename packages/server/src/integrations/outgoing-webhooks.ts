import crypto from 'node:crypto';
import type { CreatedOutgoingWebhook, CreateOutgoingWebhookBody, DeliveriesQuery, OutgoingEventKind, OutgoingWebhook, WebhookDelivery } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { isId, newId } from '../core/ids.js';
import { iso, isoOrNull } from '../core/time.js';
import type { AuditService } from '../audit/service.js';
import type { ConversationsService } from '../conversations/service.js';
import { accessConversation } from '../conversations/access.js';
import { assertCan } from '../conversations/policy.js';
import type { OutgoingWebhooksTable, WebhookDeliveriesTable } from '../store/schema.js';
import { insertHookBot, managedHook } from './hook-bot.js';
import { privateLiteralHost } from './outbound-http.js';
import { slackToken } from './signing.js';

/**
 * Outgoing webhooks, as people manage them: create, list, rotate, revoke, see each delivery and
 * send one again. The delivering is OutgoingDispatcher's (outgoing-dispatch.ts); this service
 * only writes the rows it reads, and kicks it when a redelivery is due now.
 */
export class OutgoingWebhooksService {
  /** Set by the dispatcher: run a pass soon. */
  onDue: () => void = () => undefined;

  constructor(
    private readonly deps: Deps,
    private readonly audit: AuditService,
    private readonly conversations: ConversationsService,
  ) {}

  async create(actor: Actor, convId: string, body: CreateOutgoingWebhookBody): Promise<CreatedOutgoingWebhook> {
    const { now, config } = this.deps;
    const events: OutgoingEventKind[] = body.events ?? ['message'];
    const format = body.format ?? 'json';
    if (format === 'slack' && events.some((e) => e !== 'message')) {
      throw new AppError('invalid_request', 'The `slack` format carries messages only (the fields of Slack’s outgoing webhooks); use `json` for reactions and joins.', { field: '/body/format' });
    }
    if (!config.outgoingAllowPrivate && privateLiteralHost(body.url)) {
      throw new AppError('invalid_request', 'The URL points at a loopback, private or link-local address; the server refuses those unless PARLEY_OUTGOING_ALLOW_PRIVATE=1.', { field: '/body/url' });
    }
    const id = newId();
    const botId = newId();
    const secret = crypto.randomBytes(32).toString('base64url');
    const t = now();
    const name = body.name.trim() || 'webhook';
    let row: OutgoingWebhooksTable | null = null;
    await this.conversations.addIntegrationBot(actor, convId, async (trx) => {
      // Only what happens from now on: the cursor starts at the log's end, read under the
      // conversation's lock (the bot's own arrival comes after it and is not reported).
      const conv = await trx.selectFrom('conversations').select('last_seq').where('id', '=', convId).executeTakeFirstOrThrow();
      row = {
        id,
        conv_id: convId,
        bot_user_id: botId,
        name,
        url: body.url,
        events: JSON.stringify(events),
        trigger_words: JSON.stringify(body.trigger_words ?? []),
        format,
        secret,
        cursor_seq: Number(conv.last_seq),
        created_by: actor.userId,
        created_at: t,
        revoked_at: null,
      };
      await insertHookBot(trx, { id: botId, hookId: id, prefix: 'out', name, iconUrl: body.icon_url ?? null, ownerId: actor.userId, at: t });
      await trx.insertInto('outgoing_webhooks').values(row).execute();
      await this.audit.record({ actor_id: actor.userId, action: 'outgoing_webhook.created', target: id, data: { conv_id: convId, name, url: body.url }, ip: actor.ip ?? null }, trx);
      return botId;
    });
    return { ...present(row!), secret, token: slackToken(secret) };
  }

  async list(actor: Actor, convId: string): Promise<OutgoingWebhook[]> {
    const { db } = this.deps;
    assertCan(actor, 'conversation.manage_webhooks', await accessConversation(db, actor, convId));
    const rows = await db.selectFrom('outgoing_webhooks').selectAll().where('conv_id', '=', convId).where('revoked_at', 'is', null).orderBy('created_at').execute();
    return rows.map(present);
  }

  /** A new signing secret (and token); requests signed with the old one stop at once. */
  async rotate(actor: Actor, hookId: string): Promise<CreatedOutgoingWebhook> {
    const hook = await this.managed(actor, hookId);
    const secret = crypto.randomBytes(32).toString('base64url');
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('outgoing_webhooks').set({ secret }).where('id', '=', hook.id).execute();
      await this.audit.record({ actor_id: actor.userId, action: 'outgoing_webhook.rotated', target: hook.id, data: { conv_id: hook.conv_id }, ip: actor.ip ?? null }, trx);
    });
    return { ...present(hook), secret, token: slackToken(secret) };
  }

  /** Revoked for good: nothing more is sent, pending deliveries die, its bot can no longer post. */
  async revoke(actor: Actor, hookId: string): Promise<void> {
    const hook = await this.managed(actor, hookId);
    const t = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('outgoing_webhooks').set({ revoked_at: t }).where('id', '=', hook.id).execute();
      await trx.updateTable('webhook_deliveries').set({ state: 'dead', error: 'the webhook was revoked' }).where('hook_id', '=', hook.id).where('state', '=', 'pending').execute();
      await trx.updateTable('users').set({ deactivated_at: t }).where('id', '=', hook.bot_user_id).execute();
      await this.audit.record({ actor_id: actor.userId, action: 'outgoing_webhook.revoked', target: hook.id, data: { conv_id: hook.conv_id }, ip: actor.ip ?? null }, trx);
    });
  }

  /** The hook's deliveries, newest first. */
  async deliveries(actor: Actor, hookId: string, q: DeliveriesQuery): Promise<WebhookDelivery[]> {
    const hook = await this.managed(actor, hookId);
    let query = this.deps.db.selectFrom('webhook_deliveries').selectAll().where('hook_id', '=', hook.id);
    if (q.state) query = query.where('state', '=', q.state);
    // ULIDs sort by creation: the page before `before` is the older ones.
    if (q.before) query = query.where('id', '<', q.before);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(q.limit ?? 50)
      .execute();
    return rows.map(presentDelivery);
  }

  /** Sends a delivery again (delivered or dead), with a fresh retry time; the receiver sees the same delivery id. */
  async redeliver(actor: Actor, hookId: string, deliveryId: string): Promise<WebhookDelivery> {
    const hook = await this.managed(actor, hookId);
    const { db, now, config } = this.deps;
    const t = now();
    const done = await db
      .updateTable('webhook_deliveries')
      .set({ state: 'pending', next_at: t, retry_until: t + config.outgoingRetryForMs, error: null })
      .where('id', '=', isId(deliveryId) ? deliveryId : '')
      .where('hook_id', '=', hook.id)
      .where('state', '!=', 'pending')
      .returningAll()
      .executeTakeFirst();
    if (!done) {
      const row = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', isId(deliveryId) ? deliveryId : '')
        .where('hook_id', '=', hook.id)
        .executeTakeFirst();
      if (!row) throw new AppError('not_found', 'No such delivery.');
      throw new AppError('conflict', 'That delivery is still pending; it is retried on its own.');
    }
    await this.audit.record({ actor_id: actor.userId, action: 'outgoing_webhook.redelivered', target: hook.id, data: { delivery_id: done.id }, ip: actor.ip ?? null });
    this.onDue();
    return presentDelivery(done);
  }

  private managed(actor: Actor, hookId: string): Promise<OutgoingWebhooksTable> {
    return managedHook(this.deps.db, actor, hookId, (id) => this.deps.db.selectFrom('outgoing_webhooks').selectAll().where('id', '=', id).executeTakeFirst());
  }
}

function present(r: OutgoingWebhooksTable): OutgoingWebhook {
  return {
    id: r.id,
    conv_id: r.conv_id,
    name: r.name,
    url: r.url,
    events: JSON.parse(r.events) as OutgoingEventKind[],
    trigger_words: JSON.parse(r.trigger_words) as string[],
    format: r.format,
    bot_user_id: r.bot_user_id,
    created_by: r.created_by,
    created_at: iso(Number(r.created_at)),
  };
}

export function presentDelivery(r: WebhookDeliveriesTable): WebhookDelivery {
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: r.id,
    hook_id: r.hook_id,
    seq: Number(r.seq),
    event_type: r.event_type,
    state: r.state,
    attempts: Number(r.attempts),
    created_at: iso(Number(r.created_at)),
    last_attempt_at: isoOrNull(num(r.last_attempt_at)),
    next_attempt_at: r.state === 'pending' ? iso(Number(r.next_at)) : null,
    delivered_at: isoOrNull(num(r.delivered_at)),
    status_code: num(r.status_code),
    error: r.error,
    latency_ms: num(r.latency_ms),
  };
}
