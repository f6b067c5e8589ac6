import crypto from 'node:crypto';
import type { CreateWebhookBody, IncomingWebhook, SendAck } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { isId, newId } from '../core/ids.js';
import { iso, isoOrNull } from '../core/time.js';
import type { AuditService } from '../audit/service.js';
import type { ConversationsService } from '../conversations/service.js';
import type { MessagesService } from '../messages/service.js';
import { accessConversation } from '../conversations/access.js';
import { assertCan } from '../conversations/policy.js';
import { hookActor, insertHookBot, managedHook } from './hook-bot.js';
import type { IncomingWebhooksTable } from '../store/schema.js';
import { hashSecret, safeEqual } from '../auth/tokens.js';
import { mentionedIds, parsePayload, PayloadError, toMarkdown, type SlackPayload } from './slack-payload.js';
import type { Delivery } from './receivers/receiver.js';
import { RECEIVERS, SHOWS_SIGNING_KEY, TAKES_BASIC_AUTH } from './receivers/registry.js';
import type { IntegrationThreads } from './receivers/threads.js';

/** Why a post was refused, with the plain-text code Slack answers in that case. */
export class HookError extends AppError {
  constructor(
    code: ConstructorParameters<typeof AppError>[0],
    readonly slack: string,
    message?: string,
    extra?: ConstructorParameters<typeof AppError>[2],
  ) {
    super(code, message, extra);
  }
}

/**
 * Incoming webhooks: a secret URL that posts Slack-shaped payloads into one conversation. Each
 * hook posts as its own bot account (named after the hook, owned by whoever created it, a member
 * of the conversation), so every rule of a normal send holds — membership, archive, the sender's
 * rate budget (one per hook), validation, idempotency — and its messages say which hook sent them.
 */
export class IncomingWebhooksService {
  constructor(
    private readonly deps: Deps,
    private readonly audit: AuditService,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly threads: IntegrationThreads,
  ) {}

  async create(actor: Actor, convId: string, body: CreateWebhookBody): Promise<IncomingWebhook & { secret: string; signing_secret?: string }> {
    const { now } = this.deps;
    const kind = body.kind ?? 'slack';
    if (kind === 'sentry' && body.signing_secret === undefined) {
      throw new AppError('invalid_request', 'A Sentry hook needs signing_secret: the Client Secret of the Sentry integration that will call it.', { field: '/signing_secret' });
    }
    if (kind !== 'sentry' && body.signing_secret !== undefined)
      throw new AppError('invalid_request', 'signing_secret is given for a sentry hook only; other kinds get one made for them.', { field: '/signing_secret' });
    if (body.basic_auth !== undefined && !TAKES_BASIC_AUTH.has(kind)) throw new AppError('invalid_request', 'basic_auth is for alertmanager and grafana hooks.', { field: '/basic_auth' });
    const id = newId();
    const botId = newId();
    const secret = crypto.randomBytes(32).toString('base64url');
    const t = now();
    const name = body.name.trim() || 'webhook';
    const row: IncomingWebhooksTable = {
      id,
      conv_id: convId,
      bot_user_id: botId,
      name,
      icon_url: body.icon_url ?? null,
      secret_hash: hashSecret(secret),
      created_by: actor.userId,
      created_at: t,
      last_used_at: null,
      revoked_at: null,
      kind,
      verify_secret: body.signing_secret ?? null,
      basic_auth: body.basic_auth ? `${body.basic_auth.username}:${hashSecret(body.basic_auth.password)}` : null,
    };
    // The bot, the hook and the bot's membership (members see it join) commit together.
    await this.conversations.addIntegrationBot(actor, convId, async (trx) => {
      await insertHookBot(trx, { id: botId, hookId: id, prefix: 'hook', name, iconUrl: body.icon_url ?? null, ownerId: actor.userId, at: t });
      await trx.insertInto('incoming_webhooks').values(row).execute();
      await this.audit.record({ actor_id: actor.userId, action: 'webhook.created', target: id, data: { conv_id: convId, name }, ip: actor.ip ?? null }, trx);
      return botId;
    });
    return { ...present(row), secret, ...(SHOWS_SIGNING_KEY.has(kind) ? { signing_secret: row.secret_hash } : {}) };
  }

  async list(actor: Actor, convId: string): Promise<IncomingWebhook[]> {
    const { db } = this.deps;
    assertCan(actor, 'conversation.manage_webhooks', await accessConversation(db, actor, convId));
    const rows = await db.selectFrom('incoming_webhooks').selectAll().where('conv_id', '=', convId).where('revoked_at', 'is', null).orderBy('created_at').execute();
    return rows.map(present);
  }

  /** A new secret; the old URL stops working at once. */
  async rotate(actor: Actor, hookId: string): Promise<IncomingWebhook & { secret: string; signing_secret?: string }> {
    const hook = await this.managed(actor, hookId);
    const secret = crypto.randomBytes(32).toString('base64url');
    await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('incoming_webhooks')
        .set({ secret_hash: hashSecret(secret) })
        .where('id', '=', hook.id)
        .execute();
      await this.audit.record({ actor_id: actor.userId, action: 'webhook.rotated', target: hook.id, data: { conv_id: hook.conv_id }, ip: actor.ip ?? null }, trx);
    });
    return { ...present(hook), secret, ...(SHOWS_SIGNING_KEY.has(hook.kind) ? { signing_secret: hashSecret(secret) } : {}) };
  }

  /** Revoked for good; its bot stays (its messages keep their sender) but can no longer post. */
  async revoke(actor: Actor, hookId: string): Promise<void> {
    const hook = await this.managed(actor, hookId);
    const t = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('incoming_webhooks').set({ revoked_at: t }).where('id', '=', hook.id).execute();
      await trx.updateTable('users').set({ deactivated_at: t }).where('id', '=', hook.bot_user_id).execute();
      await this.audit.record({ actor_id: actor.userId, action: 'webhook.revoked', target: hook.id, data: { conv_id: hook.conv_id }, ip: actor.ip ?? null }, trx);
    });
  }

  /**
   * A post to the hook's URL, read as the hook's kind says: Slack's payload becomes a message;
   * a developer tool's notification updates its thing's thread. `idempotencyKey` (Slack kind): a
   * retried POST with the same key posts once and is answered as the first was.
   */
  async receive(hookId: string, secret: string, raw: unknown, meta: ReceiveMeta): Promise<Received> {
    const { hook, actor } = await this.open(hookId, secret);
    let out: Received;
    try {
      out = hook.kind === 'slack' ? { kind: 'message', ack: await this.postSlack(hook, actor, raw, meta.idempotencyKey) } : await this.receiveFrom(hook, actor, raw, meta);
    } catch (e) {
      throw sendRefusal(e);
    }
    await this.deps.db.updateTable('incoming_webhooks').set({ last_used_at: this.deps.now() }).where('id', '=', hook.id).execute();
    return out;
  }

  /** A developer tool's notification: its sender checked, then a message or its thing's thread updated. */
  private async receiveFrom(hook: IncomingWebhooksTable, actor: Actor, raw: unknown, meta: ReceiveMeta): Promise<Received> {
    const receiver = RECEIVERS[hook.kind as Exclude<IncomingWebhooksTable['kind'], 'slack'>];
    const d: Delivery = { body: raw, rawBody: meta.rawBody, header: meta.header, at: new Date(this.deps.now()).toISOString() };
    // GitHub's and GitLab's key is the one shown when the hook was made (its stored hash); Sentry's is the one Sentry gave.
    const why = receiver.verify({ signingKey: receiver.keyFromService ? hook.verify_secret : hook.secret_hash, basicAuth: hook.basic_auth }, d);
    if (why !== null) throw new HookError('unauthenticated', 'invalid_signature', why);
    const what = receiver.read(d);
    if (what.kind === 'ignore') return { kind: 'ignored', why: what.why };
    if (what.kind === 'message') {
      // The service's delivery id makes a redelivery the same message.
      const cmid = `${hook.kind.slice(0, 6)}_${crypto
        .createHash('sha256')
        .update(what.dedupe ?? crypto.randomUUID())
        .digest('base64url')}`;
      const body = what.body.slice(0, this.deps.config.limits.maxMessageChars);
      return { kind: 'message', ack: await this.messages.send(actor, { conv_id: hook.conv_id, client_msg_id: cmid, body, tags: what.tags }) };
    }
    const done = await this.threads.apply(hook.id, actor, hook.conv_id, what.key, what.plan, what.tags);
    return { kind: 'thread', root_message_id: done.rootId, replies: done.replies };
  }

  /** The hook behind a URL, and the actor its bot posts as. Unknown, revoked and wrong secret look the same from outside. */
  private async open(hookId: string, secret: string): Promise<{ hook: IncomingWebhooksTable; actor: Actor }> {
    const gone = () => new HookError('not_found', 'no_service', 'No such webhook, or it was revoked.');
    if (!isId(hookId)) throw gone();
    const hook = await this.row(hookId);
    if (!hook || hook.revoked_at !== null || !safeEqual(hashSecret(secret), hook.secret_hash)) throw gone();
    const actor = await hookActor(this.deps, hook);
    if (!actor) throw gone();
    return { hook, actor };
  }

  private async postSlack(hook: IncomingWebhooksTable, actor: Actor, raw: unknown, idempotencyKey: string | undefined): Promise<SendAck> {
    const { db } = this.deps;
    let payload: SlackPayload;
    try {
      payload = parsePayload(raw);
    } catch (e) {
      if (e instanceof PayloadError) throw payloadError(e);
      throw e;
    }
    const names = new Map<string, string>();
    const ids = mentionedIds(payload).filter((x) => isId(x));
    if (ids.length > 0) for (const u of await db.selectFrom('users').select(['id', 'username']).where('id', 'in', ids).execute()) names.set(u.id, u.username);
    const body = toMarkdown(payload, (id) => names.get(id));
    const max = this.deps.config.limits.maxMessageChars;
    if (body.length > max) throw new HookError('invalid_request', 'msg_too_long', `The message would be ${body.length} characters; at most ${max}.`, { field: '/text' });
    // A key of any shape maps to a client_msg_id of the allowed alphabet; without one, each POST is new.
    const clientMsgId = idempotencyKey ? `hook_${crypto.createHash('sha256').update(idempotencyKey).digest('base64url')}` : `hook_${crypto.randomUUID()}`;
    return this.messages.send(actor, { conv_id: hook.conv_id, client_msg_id: clientMsgId, body });
  }

  private row(id: string): Promise<IncomingWebhooksTable | undefined> {
    return this.deps.db.selectFrom('incoming_webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  private managed(actor: Actor, hookId: string): Promise<IncomingWebhooksTable> {
    return managedHook(this.deps.db, actor, hookId, (id) => this.row(id));
  }
}

/** What a post did: a message, a thread updated (a developer tool's), or nothing worth showing (a ping). */
export type Received = { kind: 'message'; ack: SendAck } | { kind: 'thread'; root_message_id: string; replies: number } | { kind: 'ignored'; why: string };

/** What the HTTP request adds to its parsed body. */
export interface ReceiveMeta {
  idempotencyKey: string | undefined;
  /** The body's bytes as sent (GitHub and Sentry sign them). */
  rawBody: Buffer;
  /** A request header by lower-case name (the services' event names, ids and signatures). */
  header(name: string): string | undefined;
}

/** A send the conversation refused, in the words Slack's clients know. */
function sendRefusal(e: unknown): unknown {
  if (!(e instanceof AppError) || e instanceof HookError) return e;
  if (e.code === 'conversation_archived') return new HookError('conversation_archived', 'channel_is_archived');
  if (e.code === 'rate_limited') return new HookError('rate_limited', 'rate_limited', e.message, e.extra);
  if (e.code === 'not_member' || e.code === 'not_found') return new HookError('forbidden', 'action_prohibited', 'The webhook’s bot is no longer a member of the conversation.');
  return e;
}

/** The payload parse's refusals as hook errors. */
export function payloadError(e: PayloadError): HookError {
  return new HookError('invalid_request', e.slack, e.message, e.field ? { field: e.field } : {});
}

function present(r: IncomingWebhooksTable): IncomingWebhook {
  return {
    id: r.id,
    conv_id: r.conv_id,
    kind: r.kind,
    name: r.name,
    icon_url: r.icon_url,
    basic_auth_user: r.basic_auth === null ? null : r.basic_auth.slice(0, r.basic_auth.lastIndexOf(':')),
    bot_user_id: r.bot_user_id,
    created_by: r.created_by,
    created_at: iso(Number(r.created_at)),
    last_used_at: isoOrNull(r.last_used_at === null ? null : Number(r.last_used_at)),
  };
}
