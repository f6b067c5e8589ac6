import crypto from 'node:crypto';
import type { LoginBody, RegisterBody, SecondFactorBody, Session, User } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import type { Limiter } from '../core/limits.js';
import { AppError, isUniqueViolation } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { iso } from '../core/time.js';
import type { AuditService } from '../audit/service.js';
import { presentUser } from '../users/presenter.js';
import type { Db } from '../store/db.js';
import { epochKeyedReader } from '../store/keyed-reader.js';
import { dummyHash, hashPassword, verifyPassword } from './passwords.js';
import { isApiToken, type ApiTokensService } from './api-tokens.js';
import { hashRefreshSecret, hashSecret, hashSessionKey, makeRefreshToken, newSessionKey, parseRefreshToken, safeEqual, sessionKeyOf, type AccessTokens } from './tokens.js';
import type { TwoFactorService } from './two-factor.js';

export interface AuthResult {
  user: User;
  access_token: string;
  refresh_token: string;
  session_id: string;
  expires_in: number;
}

export interface ClientInfo {
  ip: string;
  userAgent: string;
}

const hashInvite = (code: string) => crypto.createHash('sha256').update(code).digest('base64url');

export class AuthService {
  constructor(
    private readonly deps: Deps,
    private readonly tokens: AccessTokens,
    private readonly audit: AuditService,
    private readonly apiTokens: ApiTokensService,
    /** Failed logins per account, whatever address they come from (core/limits.ts). */
    private readonly loginFailures: Limiter,
    private readonly twoFactor: TwoFactorService,
  ) {
    this.sessionRow = epochKeyedReader(
      deps,
      (db, ids) => sessionQuery(db).where('sessions.id', 'in', ids),
      (r) => r.id,
    );
  }

  async register(body: RegisterBody, client: ClientInfo): Promise<AuthResult> {
    const { db, config, now } = this.deps;
    const username = body.username.toLowerCase();
    const passwordHash = await hashPassword(body.password);
    const id = newId();
    const t = now();
    await db
      .transaction()
      .execute(async (trx) => {
        const anyone = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
        const role = anyone ? 'member' : 'owner';
        if (anyone && config.registration === 'invite') {
          if (!body.invite_code) throw new AppError('registration_closed');
          const used = await trx
            .updateTable('invites')
            .set({ used_by: id, used_at: t })
            .where('code_hash', '=', hashInvite(body.invite_code))
            .where('used_by', 'is', null)
            .where('expires_at', '>', t)
            .executeTakeFirst();
          if (Number(used.numUpdatedRows) !== 1) throw new AppError('registration_closed', 'The invite code is invalid, used or expired.');
        }
        // Checked after the invite, so an invite-only workspace does not reveal which usernames exist.
        const taken = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
        if (taken) throw new AppError('username_taken');
        await trx
          .insertInto('users')
          .values({
            id,
            username,
            password_hash: passwordHash,
            display_name: body.display_name?.trim() || username,
            avatar_url: null,
            status_text: null,
            role,
            created_at: t,
            deactivated_at: null,
            last_seen_at: null,
            bot_owner_id: null,
          })
          .execute();
        await this.audit.record({ actor_id: id, action: 'user.registered', target: id, data: { role }, ip: client.ip }, trx);
      })
      .catch((e: unknown) => {
        // Two sign-ups racing for one name: the unique index decides.
        throw isUniqueViolation(e) ? new AppError('username_taken') : e;
      });
    return this.startSession(id, body.device_name, client);
  }

  /**
   * Every attempt takes a token of its account's failure budget before the password is checked,
   * and a correct password gives it back: a guesser firing in parallel cannot pass the budget
   * (checking first and charging after a failure would let every parallel guess through), and
   * successful logins never use it up. The trade-off: while someone is guessing an account's
   * password, its owner is refused too (429 with retry_after_ms, at most a minute at the default)
   * — a short lock-out rather than an unlimited guessing rate spread over many addresses.
   * Unknown usernames have a budget as well, so the answer never tells which accounts exist.
   */
  async login(body: LoginBody, client: ClientInfo): Promise<AuthResult> {
    const account = body.username.toLowerCase();
    const wait = await this.loginFailures.take(account);
    if (wait > 0) throw new AppError('rate_limited', 'Too many failed sign-ins for this account; wait and retry.', { retry_after_ms: wait });
    const row = await this.deps.db.selectFrom('users').select(['id', 'password_hash', 'deactivated_at']).where('username', '=', body.username.toLowerCase()).executeTakeFirst();
    const ok = await verifyPassword(row?.password_hash ?? (await dummyHash()), body.password);
    if (!row || !ok || row.deactivated_at !== null) {
      await this.audit.record({ actor_id: row?.id ?? null, action: 'auth.login_failed', target: body.username.slice(0, 64), ip: client.ip });
      throw new AppError('invalid_credentials');
    }
    if (await this.twoFactor.enabled(row.id)) {
      // The password was right; the budget's token comes back only once the second step is too.
      if (!body.code && !body.recovery_code) {
        throw new AppError('mfa_required', undefined, { challenge: await this.twoFactor.challenge(row.id, body.device_name) });
      }
      if (!(await this.twoFactor.check(row.id, body))) {
        await this.audit.record({ actor_id: row.id, action: 'auth.2fa_failed', target: row.id, ip: client.ip });
        throw new AppError('invalid_credentials', 'That code is wrong or was already used.');
      }
    }
    await this.loginFailures.take(account, -1);
    return this.startSession(row.id, body.device_name, client);
  }

  /**
   * The second step of a sign-in (`mfa_required` gave the challenge). Each try is charged to the
   * account's failure budget like a password, and comes back with the password's on success.
   */
  async secondFactor(body: SecondFactorBody, client: ClientInfo): Promise<AuthResult> {
    const peek = await this.deps.db
      .selectFrom('mfa_challenges')
      .innerJoin('users', 'users.id', 'mfa_challenges.user_id')
      .select(['users.username', 'users.deactivated_at'])
      .where('mfa_challenges.id_hash', '=', hashSecret(body.challenge))
      .executeTakeFirst();
    if (!peek || peek.deactivated_at !== null) throw new AppError('invalid_token', 'This sign-in has expired or was used; enter your password again.');
    const wait = await this.loginFailures.take(peek.username);
    if (wait > 0) throw new AppError('rate_limited', 'Too many failed sign-ins for this account; wait and retry.', { retry_after_ms: wait });
    let signedIn: { userId: string; deviceName: string | undefined };
    try {
      signedIn = await this.twoFactor.redeem(body.challenge, body);
    } catch (e) {
      if (e instanceof AppError && e.code === 'invalid_credentials') await this.audit.record({ actor_id: null, action: 'auth.2fa_failed', target: peek.username, ip: client.ip });
      throw e;
    }
    await this.loginFailures.take(peek.username, -2);
    return this.startSession(signedIn.userId, signedIn.deviceName, client);
  }

  private async startSession(userId: string, deviceName: string | undefined, client: ClientInfo): Promise<AuthResult> {
    const { db, config, now } = this.deps;
    const sid = newId();
    const t = now();
    const key = newSessionKey();
    const refresh = makeRefreshToken(sid, 1, key.key);
    await db
      .insertInto('sessions')
      .values({
        id: sid,
        user_id: userId,
        device_name: (deviceName ?? '').trim() || guessDevice(client.userAgent),
        user_agent: client.userAgent.slice(0, 512),
        ip: client.ip.slice(0, 64),
        refresh_gen: 1,
        refresh_hash: refresh.hash,
        key_hash: key.hash,
        created_at: t,
        last_used_at: t,
        expires_at: t + config.refreshTokenTtlSec * 1000,
        revoked_at: null,
        revoked_reason: null,
      })
      .execute();
    const user = await this.loadUser(userId);
    return {
      user,
      access_token: await this.tokens.sign({ sub: userId, sid }),
      refresh_token: refresh.token,
      session_id: sid,
      expires_in: config.accessTokenTtlSec,
    };
  }

  /** Rotates the refresh token. Presenting an already-rotated token revokes the whole session (theft signal). */
  async refresh(token: string, client: ClientInfo): Promise<AuthResult> {
    const { db, config, now } = this.deps;
    const parsed = parseRefreshToken(token);
    if (!parsed) throw new AppError('invalid_token');
    const s = await db.selectFrom('sessions').selectAll().where('id', '=', parsed.sessionId).executeTakeFirst();
    if (!s) throw new AppError('invalid_token');
    // A session id is printed in every access token and in the audit log: knowing it must not be
    // enough to revoke the session through the reuse alarm below. Only someone holding this
    // session's key (every token it was ever given carries it) or its current token gets further.
    const key = sessionKeyOf(parsed.secret);
    const holdsKey = s.key_hash !== null && key !== null && safeEqual(hashSessionKey(key), s.key_hash);
    const isCurrent = parsed.gen === s.refresh_gen && safeEqual(hashRefreshSecret(parsed.secret, parsed.gen), s.refresh_hash);
    if (!holdsKey && !isCurrent) throw new AppError('invalid_token');
    if (s.revoked_at !== null) throw new AppError('session_revoked');
    const t = now();
    if (s.expires_at <= t) throw new AppError('invalid_token', 'The session has expired; log in again.');
    if (parsed.gen < s.refresh_gen) {
      await this.revoke(s.user_id, s.id, 'refresh_token_reuse', null, client.ip);
      throw new AppError('session_revoked', 'This refresh token was already used; the session is revoked.');
    }
    if (!isCurrent) throw new AppError('invalid_token');
    // Sessions from before session keys existed get one on their first refresh.
    const nextKey = holdsKey ? { key: key!, hash: s.key_hash! } : newSessionKey();
    const next = makeRefreshToken(s.id, s.refresh_gen + 1, nextKey.key);
    const res = await db
      .updateTable('sessions')
      .set({ refresh_gen: s.refresh_gen + 1, refresh_hash: next.hash, key_hash: nextKey.hash, last_used_at: t, expires_at: t + config.refreshTokenTtlSec * 1000, ip: client.ip.slice(0, 64) })
      .where('id', '=', s.id)
      .where('refresh_gen', '=', s.refresh_gen)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      // Another refresh with the same token won the race: that is reuse too.
      await this.revoke(s.user_id, s.id, 'refresh_token_reuse', null, client.ip);
      throw new AppError('session_revoked', 'This refresh token was already used; the session is revoked.');
    }
    return {
      user: await this.loadUser(s.user_id),
      access_token: await this.tokens.sign({ sub: s.user_id, sid: s.id }),
      refresh_token: next.token,
      session_id: s.id,
      expires_in: config.accessTokenTtlSec,
    };
  }

  /** Verifies an access token and that its session is still live; the role comes fresh from the database. */
  async authenticate(token: string): Promise<Actor> {
    if (isApiToken(token)) return this.apiTokens.authenticate(token);
    const claims = await this.tokens.verify(token);
    return this.sessionActor(claims.sid, claims.sub);
  }

  /**
   * The actor as the account stands now: what a socket authenticated long ago may do on its next
   * request (role changes, deactivation, revocation, a bot owner's state all count at once).
   */
  async current(actor: Actor): Promise<Actor> {
    const fresh = actor.via === 'token' ? await this.apiTokens.current(actor.sessionId) : await this.sessionActor(actor.sessionId, actor.userId);
    return fresh.role === actor.role ? actor : { ...actor, role: fresh.role };
  }

  private async sessionActor(sessionId: string, userId: string): Promise<Actor> {
    const row = await this.sessionRow(sessionId);
    if (!row || row.user_id !== userId || row.deactivated_at !== null) throw new AppError('invalid_token');
    if (row.revoked_at !== null) throw new AppError('session_revoked');
    if (Number(row.expires_at) <= this.deps.now()) throw new AppError('invalid_token');
    return { userId, role: row.role, sessionId, via: 'session' };
  }

  /** Every REST request and socket request made with a session reads this (see `current`). */
  private readonly sessionRow: (sessionId: string) => Promise<SessionState | undefined>;

  /** Ends the credential the request came with: the device session, or the API token itself. */
  async logout(actor: Actor): Promise<void> {
    if (actor.via === 'token') return this.apiTokens.revoke(actor, actor.sessionId);
    await this.revoke(actor.userId, actor.sessionId, 'logout', actor.userId, actor.ip ?? null);
  }

  async listSessions(actor: Actor): Promise<Session[]> {
    const rows = await this.deps.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', actor.userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', this.deps.now())
      .orderBy('last_used_at', 'desc')
      .execute();
    return rows.map((s) => ({
      id: s.id,
      device_name: s.device_name,
      user_agent: s.user_agent,
      ip: s.ip,
      created_at: iso(s.created_at),
      last_used_at: iso(s.last_used_at),
      current: s.id === actor.sessionId,
    }));
  }

  async revokeSession(actor: Actor, sessionId: string): Promise<void> {
    const s = await this.deps.db.selectFrom('sessions').select(['user_id', 'revoked_at']).where('id', '=', sessionId).executeTakeFirst();
    if (!s || s.user_id !== actor.userId || s.revoked_at !== null) throw new AppError('not_found', 'No such session.');
    await this.revoke(actor.userId, sessionId, 'revoked_by_user', actor.userId, actor.ip ?? null);
  }

  private async revoke(userId: string, sessionId: string, reason: string, actorId: string | null, ip: string | null): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const res = await trx.updateTable('sessions').set({ revoked_at: this.deps.now(), revoked_reason: reason }).where('id', '=', sessionId).where('revoked_at', 'is', null).executeTakeFirst();
      // Two revocations racing (logout while the reuse alarm fires) record one.
      if (Number(res.numUpdatedRows) === 1) await this.audit.record({ actor_id: actorId, action: 'session.revoked', target: sessionId, data: { reason, user_id: userId }, ip }, trx);
    });
    this.deps.publisher.revokeSession(userId, sessionId);
  }

  /** Admins create single-use invite codes for invite-only workspaces. */
  async createInvite(actor: Actor, expiresInHours = 168): Promise<{ code: string; expires_at: string }> {
    if (actor.role !== 'owner' && actor.role !== 'admin') throw new AppError('forbidden', 'Only workspace admins can create invites.');
    const code = crypto.randomBytes(18).toString('base64url');
    const t = this.deps.now();
    const expires = t + expiresInHours * 3_600_000;
    await this.deps.db
      .insertInto('invites')
      .values({ code_hash: hashInvite(code), created_by: actor.userId, created_at: t, expires_at: expires, used_by: null, used_at: null })
      .execute();
    await this.audit.record({ actor_id: actor.userId, action: 'invite.created', data: { expires_at: expires }, ip: actor.ip ?? null });
    return { code, expires_at: iso(expires) };
  }

  private async loadUser(id: string): Promise<User> {
    const row = await this.deps.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return presentUser(row);
  }
}

const sessionQuery = (db: Db) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id', 'sessions.user_id', 'sessions.revoked_at', 'sessions.expires_at', 'users.role', 'users.deactivated_at']);

type SessionState = Awaited<ReturnType<ReturnType<typeof sessionQuery>['executeTakeFirstOrThrow']>>;

function guessDevice(ua: string): string {
  if (!ua) return 'Unknown device';
  if (/parley-cli/i.test(ua)) return 'Parley CLI';
  if (/parley-sdk/i.test(ua)) return 'Parley SDK';
  const browser = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} on ${os}` : browser;
}
