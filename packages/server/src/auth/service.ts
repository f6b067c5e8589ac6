import type { LoginBody, RegisterBody, SecondFactorBody, Session, User } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
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
import { InviteCodes } from './invites.js';
import type { DefaultChannel } from './default-channel.js';
import type { LoginLockouts, Outcome } from './lockouts.js';
import type { WorkspaceSettingsService } from '../workspace/settings.js';

export interface AuthResult {
  user: User;
  access_token: string;
  refresh_token: string;
  session_id: string;
  expires_in: number;
  must_enrol_2fa: boolean;
}

export interface ClientInfo {
  ip: string;
  userAgent: string;
}

/** How a session was signed into, as its `auth.login` audit entry says. */
interface SignIn {
  method: 'password' | 'sso' | 'registration';
  second_factor?: 'totp' | 'recovery_code';
}

export class AuthService {
  /** Invite codes and links (auth/invites.ts): made, listed and revoked by admins, redeemed by a sign-up. */
  readonly invites: InviteCodes;
  /** Joins new accounts to the workspace's first channel (auth/default-channel.ts); set by services.ts. */
  defaultChannel: DefaultChannel | null = null;

  constructor(
    private readonly deps: Deps,
    private readonly tokens: AccessTokens,
    private readonly audit: AuditService,
    private readonly apiTokens: ApiTokensService,
    /** Failed sign-ins per account and per address, locked out for growing times (auth/lockouts.ts). */
    private readonly lockouts: LoginLockouts,
    private readonly twoFactor: TwoFactorService,
    private readonly workspace: WorkspaceSettingsService,
  ) {
    this.invites = new InviteCodes(deps, audit);
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
    // Read before the transaction: on the embedded database a read outside it would wait for it.
    const { registration } = await this.workspace.get();
    let first = false;
    await db
      .transaction()
      .execute(async (trx) => {
        const anyone = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
        const role = anyone ? 'member' : 'owner';
        first = role === 'owner';
        // Everyone else arrives through single sign-on: a password account could not sign in.
        if (anyone && config.passwordLogin === 'admins') throw new AppError('registration_closed', 'Accounts on this server come from single sign-on.');
        if (anyone && registration === 'invite') {
          await this.invites.redeem(trx, body.invite_code, id, t);
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
    await this.defaultChannel?.welcome(id, first);
    return this.startSession(id, body.device_name, client, { method: 'registration' });
  }

  /**
   * Every attempt is charged to its account and its address before the password is checked, and
   * given back when the password is right (auth/lockouts.ts): a guesser firing in parallel gets no
   * more checks than the limit, and successful sign-ins never use it up. Past the limit the
   * account (or address) is locked out for a growing time and every attempt is refused unchecked
   * — its owner's too: a lockout rather than an unlimited guessing rate spread over many
   * addresses. Unknown usernames are charged, checked against a dummy hash and locked out just
   * like real ones, so neither the answer nor its timing tells which accounts exist.
   */
  async login(body: LoginBody, client: ClientInfo): Promise<AuthResult> {
    const attempt = await this.lockouts.begin({ account: body.username, ip: client.ip });
    // Anything thrown before an outcome is decided gives the attempt back.
    let outcome: Outcome = 'partial';
    let userId: string;
    let how: SignIn = { method: 'password' };
    try {
      const row = await this.deps.db.selectFrom('users').select(['id', 'password_hash', 'deactivated_at', 'role']).where('username', '=', body.username.toLowerCase()).executeTakeFirst();
      const ok = await verifyPassword(row?.password_hash ?? (await dummyHash()), body.password);
      if (!row || !ok || row.deactivated_at !== null) {
        outcome = 'failure';
        await this.audit.record({ actor_id: row?.id ?? null, action: 'auth.login_failed', target: body.username.slice(0, 64), ip: client.ip });
        throw new AppError('invalid_credentials');
      }
      // Checked after the password, so the answer tells a guesser nothing about a role.
      if (this.deps.config.passwordLogin === 'admins' && row.role !== 'owner' && row.role !== 'admin') throw new AppError('password_login_disabled');
      if (await this.twoFactor.enabled(row.id)) {
        // The password was right: given back, but the account's failures are wiped only once
        // the second step is right too, or knowing the password would reset them between guesses.
        if (!body.code && !body.recovery_code) {
          throw new AppError('mfa_required', undefined, { challenge: await this.twoFactor.challenge(row.id, body.device_name) });
        }
        if (!(await this.twoFactor.check(row.id, body))) {
          outcome = 'failure';
          await this.audit.record({ actor_id: row.id, action: 'auth.2fa_failed', target: row.id, ip: client.ip });
          throw new AppError('invalid_credentials', 'That code is wrong or was already used.');
        }
        how = { method: 'password', second_factor: body.recovery_code ? 'recovery_code' : 'totp' };
      }
      outcome = 'success';
      userId = row.id;
    } finally {
      await attempt.settle(outcome);
    }
    return this.startSession(userId, body.device_name, client, how);
  }

  /**
   * The second step of a sign-in (`mfa_required` gave the challenge). Each try is charged to the
   * account and the address like a password; a challenge that is not (or no longer) valid counts
   * against the address.
   */
  async secondFactor(body: SecondFactorBody, client: ClientInfo): Promise<AuthResult> {
    const peek = await this.deps.db
      .selectFrom('mfa_challenges')
      .innerJoin('users', 'users.id', 'mfa_challenges.user_id')
      .select(['users.username', 'users.deactivated_at'])
      .where('mfa_challenges.id_hash', '=', hashSecret(body.challenge))
      .executeTakeFirst();
    const attempt = await this.lockouts.begin({ ...(peek ? { account: peek.username } : {}), ip: client.ip });
    let outcome: Outcome = 'partial';
    let signedIn: { userId: string; deviceName: string | undefined };
    try {
      if (!peek || peek.deactivated_at !== null) {
        outcome = 'failure';
        throw new AppError('invalid_token', 'This sign-in has expired or was used; enter your password again.');
      }
      try {
        signedIn = await this.twoFactor.redeem(body.challenge, body);
      } catch (e) {
        if (e instanceof AppError && (e.code === 'invalid_credentials' || e.code === 'invalid_token')) outcome = 'failure';
        if (e instanceof AppError && e.code === 'invalid_credentials') await this.audit.record({ actor_id: null, action: 'auth.2fa_failed', target: peek.username, ip: client.ip });
        throw e;
      }
      outcome = 'success';
    } finally {
      await attempt.settle(outcome);
    }
    return this.startSession(signedIn.userId, signedIn.deviceName, client, { method: 'password', second_factor: body.recovery_code ? 'recovery_code' : 'totp' });
  }

  /** A session for someone another way proved (single sign-on). */
  sessionFor(userId: string, deviceName: string | undefined, client: ClientInfo): Promise<AuthResult> {
    return this.startSession(userId, deviceName, client, { method: 'sso' });
  }

  private async startSession(userId: string, deviceName: string | undefined, client: ClientInfo, how: SignIn): Promise<AuthResult> {
    const { db, config, now } = this.deps;
    const sid = newId();
    const t = now();
    const key = newSessionKey();
    const refresh = makeRefreshToken(sid, 1, key.key);
    const enrol = await this.mustEnrol(userId);
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
        enrol_2fa: enrol ? 1 : 0,
      })
      .execute();
    // Every session begins with a sign-in the audit log shows, with the session it started (revocable by id).
    await this.audit.record({ actor_id: userId, action: 'auth.login', target: userId, data: { session_id: sid, ...how }, ip: client.ip });
    const user = await this.loadUser(userId);
    return {
      user,
      access_token: await this.tokens.sign({ sub: userId, sid }),
      refresh_token: refresh.token,
      session_id: sid,
      expires_in: config.accessTokenTtlSec,
      must_enrol_2fa: enrol,
    };
  }

  /**
   * Whether a new or refreshed session of this user may only turn two-factor sign-in on: the
   * workspace requires it and the user has not. Accounts that sign in through single sign-on
   * are left to the identity provider's own second factor.
   */
  private async mustEnrol(userId: string): Promise<boolean> {
    if (!(await this.workspace.get()).require_2fa) return false;
    if (await this.twoFactor.enabled(userId)) return false;
    const sso = await this.deps.db.selectFrom('sso_identities').select('user_id').where('user_id', '=', userId).limit(1).executeTakeFirst();
    return !sso;
  }

  /**
   * Rotates the refresh token. Presenting an already-rotated token revokes the whole session (theft
   * signal). A token that is not valid counts against the address like a failed sign-in (a
   * scanner trying tokens is locked out); the attempt is charged first, as for a password.
   */
  async refresh(token: string, client: ClientInfo): Promise<AuthResult> {
    const attempt = await this.lockouts.begin({ ip: client.ip });
    let outcome: Outcome = 'partial';
    try {
      const result = await this.rotate(token, client);
      outcome = 'success';
      return result;
    } catch (e) {
      if (e instanceof AppError && e.code === 'invalid_token') outcome = 'failure';
      throw e;
    } finally {
      await attempt.settle(outcome);
    }
  }

  private async rotate(token: string, client: ClientInfo): Promise<AuthResult> {
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
    // A requirement switched on since sign-in reaches the session here, within one access token's life.
    const enrol = await this.mustEnrol(s.user_id);
    const res = await db
      .updateTable('sessions')
      .set({
        refresh_gen: s.refresh_gen + 1,
        refresh_hash: next.hash,
        key_hash: nextKey.hash,
        last_used_at: t,
        expires_at: t + config.refreshTokenTtlSec * 1000,
        ip: client.ip.slice(0, 64),
        enrol_2fa: enrol ? 1 : 0,
      })
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
      must_enrol_2fa: enrol,
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
    if (fresh.role === actor.role && fresh.mustEnrol2fa === actor.mustEnrol2fa) return actor;
    const { mustEnrol2fa: _was, ...rest } = actor;
    return { ...rest, role: fresh.role, ...(fresh.mustEnrol2fa ? { mustEnrol2fa: true } : {}) };
  }

  private async sessionActor(sessionId: string, userId: string): Promise<Actor> {
    const row = await this.sessionRow(sessionId);
    if (!row || row.user_id !== userId || row.deactivated_at !== null) throw new AppError('invalid_token');
    if (row.revoked_at !== null) throw new AppError('session_revoked');
    if (Number(row.expires_at) <= this.deps.now()) throw new AppError('invalid_token');
    return { userId, role: row.role, sessionId, via: 'session', ...(row.enrol_2fa ? { mustEnrol2fa: true } : {}) };
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

  private async loadUser(id: string): Promise<User> {
    const row = await this.deps.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return presentUser(row);
  }
}

const sessionQuery = (db: Db) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id', 'sessions.user_id', 'sessions.revoked_at', 'sessions.expires_at', 'sessions.enrol_2fa', 'users.role', 'users.deactivated_at']);

type SessionState = Awaited<ReturnType<ReturnType<typeof sessionQuery>['executeTakeFirstOrThrow']>>;

function guessDevice(ua: string): string {
  if (!ua) return 'Unknown device';
  if (/parley-cli/i.test(ua)) return 'Parley CLI';
  if (/parley-sdk/i.test(ua)) return 'Parley SDK';
  const browser = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} on ${os}` : browser;
}
