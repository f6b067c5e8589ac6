import crypto from 'node:crypto';
import type { ApiToken, CreateBotBody, TokenScope, User } from '@parley/protocol';
import { grantableScopes } from './scopes.js';
import { insertBotUser } from '../users/bots.js';
import { lesserRole, type Actor, type Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { iso, isoOrNull } from '../core/time.js';
import type { AuditService } from '../audit/service.js';
import { presentUser } from '../users/presenter.js';
import type { Db } from '../store/db.js';
import type { Database } from '../store/schema.js';
import type { ExpressionBuilder } from 'kysely';
import { epochKeyedReader, keyedReader } from '../store/keyed-reader.js';
import { hashSecret, safeEqual } from './tokens.js';

const PREFIX = 'pat_';
const TOKEN = /^pat_([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$/;

export const isApiToken = (token: string) => token.startsWith(PREFIX);

/**
 * Long-lived API tokens for scripts, CI and bots (`pat_<id>_<secret>`, shown once, stored as a
 * hash). A token acts as its user; revoking it closes sockets authenticated with it.
 */
export class ApiTokensService {
  constructor(
    private readonly deps: Deps,
    private readonly audit: AuditService,
  ) {
    const byIds = (db: Db, ids: string[]) => tokenQuery(db).where('api_tokens.id', 'in', ids);
    this.stateOf = keyedReader(deps, byIds, (r) => r.id);
    this.stateNow = epochKeyedReader(deps, byIds, (r) => r.id);
  }

  /** A bot is a user without a password, owned by the member who created it. */
  async createBot(actor: Actor, body: CreateBotBody): Promise<User> {
    if (actor.role === 'guest') throw new AppError('forbidden', 'Guests cannot create bots.');
    const { db, now } = this.deps;
    const username = body.username.toLowerCase();
    const taken = await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
    if (taken) throw new AppError('username_taken');
    const id = newId();
    await db.transaction().execute(async (trx) => {
      await insertBotUser(trx, { id, username, displayName: body.display_name?.trim() || username, avatarUrl: null, ownerId: actor.userId, at: now() });
      await this.audit.record({ actor_id: actor.userId, action: 'bot.created', target: id, data: { username }, ip: actor.ip ?? null }, trx);
    });
    return presentUser(await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  }

  async listBots(actor: Actor): Promise<User[]> {
    let q = this.deps.db
      .selectFrom('users')
      .selectAll()
      .where('bot_owner_id', 'is not', null)
      .where('deactivated_at', 'is', null)
      .where((eb) => eb.not(integrationBot(eb)));
    if (actor.role !== 'owner' && actor.role !== 'admin') q = q.where('bot_owner_id', '=', actor.userId);
    return (await q.orderBy('username').execute()).map(presentUser);
  }

  /**
   * Creates a token for myself, or for a bot I own. Only the owner mints a bot's tokens: a
   * workspace admin who could would read every private conversation the bot is in.
   */
  async create(actor: Actor, name: string, userId?: string, wanted?: readonly TokenScope[]): Promise<ApiToken & { token: string }> {
    const { db, now } = this.deps;
    const scopes = grantableScopes(actor, wanted);
    const target = userId ?? actor.userId;
    if (target !== actor.userId) {
      // Not a webhook's or a command's bot: its membership is the hook's, and a token for it
      // would outlive its creator's own access to the conversation.
      const bot = await db
        .selectFrom('users')
        .select(['bot_owner_id'])
        .where('id', '=', target)
        .where('deactivated_at', 'is', null)
        .where((eb) => eb.not(integrationBot(eb)))
        .executeTakeFirst();
      if (!bot || bot.bot_owner_id !== actor.userId) throw new AppError('not_found', 'No bot of yours with that id.');
    }
    const id = newId();
    const secret = crypto.randomBytes(32).toString('base64url');
    const t = now();
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('api_tokens')
        .values({ id, user_id: target, name, secret_hash: hashSecret(secret), created_by: actor.userId, created_at: t, last_used_at: null, revoked_at: null, scopes: JSON.stringify(scopes) })
        .execute();
      await this.audit.record({ actor_id: actor.userId, action: 'token.created', target: id, data: { user_id: target, name, scopes }, ip: actor.ip ?? null }, trx);
    });
    return { id, name, user_id: target, created_at: iso(t), last_used_at: null, scopes, token: `${PREFIX}${id}_${secret}` };
  }

  /**
   * Removes a bot for good: the account is deactivated, its tokens revoked and its sockets
   * closed; its messages keep their sender. Its owner or a workspace admin may; a webhook's or a
   * command's bot goes with its hook or command instead.
   */
  async removeBot(actor: Actor, botId: string): Promise<void> {
    const { db, now, publisher } = this.deps;
    const bot = await db
      .selectFrom('users')
      .select(['id', 'bot_owner_id', 'username'])
      .where('id', '=', botId)
      .where('bot_owner_id', 'is not', null)
      .where('deactivated_at', 'is', null)
      .where((eb) => eb.not(integrationBot(eb)))
      .executeTakeFirst();
    const admin = actor.role === 'owner' || actor.role === 'admin';
    if (!bot || (bot.bot_owner_id !== actor.userId && !admin)) throw new AppError('not_found', 'No bot of yours with that id.');
    const t = now();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ deactivated_at: t }).where('id', '=', bot.id).execute();
      await trx.updateTable('api_tokens').set({ revoked_at: t }).where('user_id', '=', bot.id).where('revoked_at', 'is', null).execute();
      await this.audit.record({ actor_id: actor.userId, action: 'bot.removed', target: bot.id, data: { username: bot.username }, ip: actor.ip ?? null }, trx);
    });
    publisher.closeUser(bot.id, 'bot removed');
  }

  /** My live tokens, every live token of the bots I own (whoever made it), and tokens I made. */
  async list(actor: Actor): Promise<ApiToken[]> {
    const rows = await this.deps.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('user_id', '=', actor.userId), eb('created_by', '=', actor.userId), eb('user_id', 'in', eb.selectFrom('users').select('id').where('bot_owner_id', '=', actor.userId))]))
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      user_id: r.user_id,
      created_at: iso(Number(r.created_at)),
      last_used_at: isoOrNull(r.last_used_at === null ? null : Number(r.last_used_at)),
      scopes: JSON.parse(r.scopes) as TokenScope[],
    }));
  }

  /** The token's user, the bot's owner, its creator, and workspace admins may revoke it; it is audited either way. */
  async revoke(actor: Actor, id: string): Promise<void> {
    const { db, now, publisher } = this.deps;
    const row = await db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select(['api_tokens.user_id', 'api_tokens.created_by', 'users.bot_owner_id'])
      .where('api_tokens.id', '=', id)
      .where('api_tokens.revoked_at', 'is', null)
      .executeTakeFirst();
    const admin = actor.role === 'owner' || actor.role === 'admin';
    const mine = row && (row.user_id === actor.userId || row.created_by === actor.userId || row.bot_owner_id === actor.userId);
    if (!row || (!mine && !admin)) throw new AppError('not_found', 'No such token.');
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('api_tokens').set({ revoked_at: now() }).where('id', '=', id).execute();
      await this.audit.record({ actor_id: actor.userId, action: 'token.revoked', target: id, data: { user_id: row.user_id }, ip: actor.ip ?? null }, trx);
    });
    publisher.revokeSession(row.user_id, id);
  }

  /** The actor behind a token; its id stands in for the session id (revocation closes its sockets). */
  async authenticate(token: string): Promise<Actor> {
    const m = TOKEN.exec(token);
    if (!m) throw new AppError('invalid_token');
    const { db, now } = this.deps;
    const row = await this.stateOf(m[1]!);
    if (!row || !safeEqual(hashSecret(m[2]!), row.secret_hash)) throw new AppError('invalid_token');
    const actor = actorOfToken(row);
    const t = now();
    // Coarse last-used stamp: one write a minute per token at most.
    if (row.last_used_at === null || t - Number(row.last_used_at) > 60_000) {
      await db.updateTable('api_tokens').set({ last_used_at: t }).where('id', '=', row.id).execute();
    }
    return actor;
  }

  /** The token's actor as the account stands now (role, deactivation, revocation, the bot owner's state). */
  async current(tokenId: string): Promise<Actor> {
    const row = await this.stateNow(tokenId);
    if (!row) throw new AppError('invalid_token');
    return actorOfToken(row);
  }

  /** Authentication reads the token as it is (its last use included). */
  private readonly stateOf: (tokenId: string) => Promise<TokenState | undefined>;
  /** Every later request re-reads it (see AuthService.current); remembered until the auth epoch moves. */
  private readonly stateNow: (tokenId: string) => Promise<TokenState | undefined>;
}

/**
 * Bots that belong to an integration (an incoming or outgoing webhook, a slash command) or to
 * Parley itself (self-owned, as the reminders bot): managed through those, never given tokens.
 */
export function integrationBot(eb: ExpressionBuilder<Database, 'users'>) {
  return eb.or([
    eb.exists(eb.selectFrom('incoming_webhooks').select('incoming_webhooks.id').whereRef('incoming_webhooks.bot_user_id', '=', 'users.id')),
    eb.exists(eb.selectFrom('outgoing_webhooks').select('outgoing_webhooks.id').whereRef('outgoing_webhooks.bot_user_id', '=', 'users.id')),
    eb.exists(eb.selectFrom('slash_commands').select('slash_commands.id').whereRef('slash_commands.bot_user_id', '=', 'users.id')),
    eb('users.bot_owner_id', '=', eb.ref('users.id')),
  ]);
}

/** The token, its user and, for a bot, its owner. */
const tokenQuery = (db: Db) =>
  db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .leftJoin('users as owner', 'owner.id', 'users.bot_owner_id')
    .select([
      'api_tokens.id',
      'api_tokens.user_id',
      'api_tokens.secret_hash',
      'api_tokens.revoked_at',
      'api_tokens.last_used_at',
      'api_tokens.scopes',
      'users.role',
      'users.deactivated_at',
      'users.bot_owner_id',
      'owner.role as owner_role',
      'owner.deactivated_at as owner_deactivated_at',
    ]);

type TokenState = Awaited<ReturnType<ReturnType<typeof tokenQuery>['executeTakeFirstOrThrow']>>;

/**
 * A bot acts with the lesser of its own role and its owner's role now, and not at all once its
 * owner is deactivated: a bot is never a way around what was taken from its owner.
 */
function actorOfToken(row: TokenState): Actor {
  if (row.deactivated_at !== null) throw new AppError('invalid_token');
  let role = row.role;
  if (row.bot_owner_id !== null) {
    if (row.owner_role === null || row.owner_deactivated_at !== null) throw new AppError('invalid_token', 'The owner of this bot is deactivated.');
    role = lesserRole(role, row.owner_role);
  }
  if (row.revoked_at !== null) throw new AppError('session_revoked', 'This API token has been revoked.');
  return { userId: row.user_id, role, sessionId: row.id, via: 'token', scopes: JSON.parse(row.scopes) as TokenScope[] };
}
