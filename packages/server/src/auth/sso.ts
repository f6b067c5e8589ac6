import crypto from 'node:crypto';
import * as oidc from 'openid-client';
import type { AuthOptions, SsoExchangeBody } from '@parley/protocol';
import type { Deps } from '../core/context.js';
import { AppError, isUniqueViolation } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { WorkspaceSettingsService } from '../workspace/settings.js';
import type { AuditService } from '../audit/service.js';
import { hashPassword } from './passwords.js';
import { hashSecret, safeEqual } from './tokens.js';
import type { AuthResult, AuthService, ClientInfo } from './service.js';

/** A sign-in must come back from the provider within this time. */
const FLOW_TTL_MS = 10 * 60_000;
/** The web app exchanges the callback's code at once; a code left in a history entry is dead. */
const GRANT_TTL_MS = 60_000;
export const SSO_COOKIE = 'parley_sso';
export const SSO_PATH = '/api/v1/auth/sso';

/** Why a single sign-on did not sign anyone in: the web app shows it (`#sso_error=…`). */
export type SsoFailure = 'expired' | 'wrong_browser' | 'provider_error' | 'invalid_response' | 'no_account' | 'email_not_verified' | 'deactivated' | 'unavailable';

class SsoRefused extends Error {
  constructor(
    readonly reason: SsoFailure,
    detail: string,
  ) {
    super(detail);
  }
}

/** A loopback address is not on the network: an identity provider there may speak plain HTTP (tests, a laptop). */
const isLoopback = (u: URL) => u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';

/**
 * Where the callback may send the browser: a path of this site, or a loopback address (the CLI
 * listens there, as RFC 8252 has native apps do). Anything else would make the callback an open
 * redirect that hands a sign-in code to another site.
 */
export function safeReturnTo(value: string | undefined): string | null {
  if (value === undefined || value === '') return '/';
  if (value.length > 512) return null;
  if (value.startsWith('/')) return value.startsWith('//') || value.includes('\\') ? null : value.split('#')[0]!;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === '[::1]') && u.username === '' && u.password === '' ? `${u.origin}${u.pathname}${u.search}` : null;
  } catch {
    return null;
  }
}

/**
 * OpenID Connect sign-in (authorisation code with PKCE, through openid-client). Every step is kept
 * in the database, so whichever node the provider sends the browser back to can finish it:
 *
 * 1. `start`: a state, a nonce and a PKCE verifier; the flow row holds the verifier, the nonce,
 *    the state's hash and the hash of a random value the browser keeps in a cookie, so only the
 *    browser that started a sign-in can finish it (no one can plant their own sign-in in a
 *    victim's browser).
 * 2. `callback`: the flow is taken (deleted: one use), the cookie compared, and openid-client
 *    checks state, issuer, the ID token's signature, audience, expiry and nonce while it redeems
 *    the code with the verifier. The identity (issuer + subject) finds its Parley account, or one
 *    is linked by an email an admin set and the provider verified, or created, per
 *    `PARLEY_OIDC_ACCOUNTS`.
 * 3. `exchange`: the callback put a single-use one-minute code in the web app's URL fragment
 *    (never sent to a server, never in a log); the app trades it for a session.
 */
export class SsoService {
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(
    private readonly deps: Deps,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly workspace: WorkspaceSettingsService | null = null,
  ) {}

  get enabled(): boolean {
    return this.deps.config.oidcIssuer !== null;
  }

  /** The sign-in cookie only travels over HTTPS when people reach Parley over HTTPS. */
  get secureCookies(): boolean {
    return this.deps.config.publicUrl?.startsWith('https:') ?? false;
  }

  async options(): Promise<AuthOptions> {
    const { config } = this.deps;
    const registration = this.workspace ? (await this.workspace.get()).registration : config.registration;
    return {
      password_login: config.passwordLogin,
      registration: config.passwordLogin === 'admins' ? 'closed' : registration,
      sso: this.enabled ? { name: config.oidcName, start_url: `${SSO_PATH}/start` } : null,
    };
  }

  private redirectUri(): string {
    return `${this.deps.config.publicUrl!.replace(/\/$/, '')}${SSO_PATH}/callback`;
  }

  /** The provider's metadata, fetched once; a failed fetch is tried again by the next sign-in. */
  private discover(): Promise<oidc.Configuration> {
    const { config } = this.deps;
    if (!this.configuration) {
      const issuer = new URL(config.oidcIssuer!);
      const auth = config.oidcClientSecret ? oidc.ClientSecretBasic(config.oidcClientSecret) : oidc.None();
      this.configuration = oidc.discovery(issuer, config.oidcClientId!, undefined, auth, {
        timeout: 10,
        ...(isLoopback(issuer) && issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      this.configuration.catch(() => (this.configuration = null));
    }
    return this.configuration;
  }

  /** A new sign-in: the provider's URL to send the browser to, and the value for its cookie. */
  async start(returnTo: string): Promise<{ url: string; browserToken: string }> {
    if (!this.enabled) throw new AppError('not_found', 'Single sign-on is not set up on this server.');
    let configuration: oidc.Configuration;
    try {
      configuration = await this.discover();
    } catch (err) {
      this.deps.log.warn({ err }, 'single sign-on: the identity provider did not answer discovery');
      throw new AppError('unavailable', 'The identity provider cannot be reached; try again later.');
    }
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const verifier = oidc.randomPKCECodeVerifier();
    const browserToken = crypto.randomBytes(32).toString('base64url');
    const t = this.deps.now();
    await this.deps.db.deleteFrom('sso_flows').where('expires_at', '<', t).execute();
    await this.deps.db
      .insertInto('sso_flows')
      .values({ state_hash: hashSecret(state), browser_hash: hashSecret(browserToken), nonce, verifier, return_to: returnTo, created_at: t, expires_at: t + FLOW_TTL_MS })
      .execute();
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri(),
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, browserToken };
  }

  /**
   * The provider's answer. Always a redirect: to the flow's `return_to` with `#sso_code=…`, or with
   * `#sso_error=…` (to `/` when the flow is unknown).
   */
  async callback(query: URLSearchParams, browserToken: string | undefined, client: ClientInfo): Promise<string> {
    const state = query.get('state') ?? '';
    const flow = state ? await this.deps.db.deleteFrom('sso_flows').where('state_hash', '=', hashSecret(state)).returningAll().executeTakeFirst() : undefined;
    const back = flow?.return_to ?? '/';
    try {
      if (!flow || flow.expires_at <= this.deps.now()) throw new SsoRefused('expired', 'no sign-in in progress has this state (unknown, used or expired)');
      if (!browserToken || !safeEqual(hashSecret(browserToken), flow.browser_hash)) throw new SsoRefused('wrong_browser', 'the sign-in was started in another browser');
      if (query.has('error')) throw new SsoRefused('provider_error', `the provider answered ${query.get('error')}: ${query.get('error_description') ?? ''}`);
      const claims = await this.redeem(query, flow);
      const userId = await this.accountFor(claims, client);
      const code = crypto.randomBytes(32).toString('base64url');
      const t = this.deps.now();
      await this.deps.db.deleteFrom('sso_grants').where('expires_at', '<', t).execute();
      await this.deps.db
        .insertInto('sso_grants')
        .values({ code_hash: hashSecret(code), user_id: userId, created_at: t, expires_at: t + GRANT_TTL_MS })
        .execute();
      return `${back}#sso_code=${code}`;
    } catch (err) {
      if (!(err instanceof SsoRefused)) throw err;
      this.deps.log.info({ reason: err.reason, detail: err.message }, 'single sign-on refused');
      await this.audit.record({ actor_id: null, action: 'sso.failed', data: { reason: err.reason, detail: err.message.slice(0, 200) }, ip: client.ip });
      return `${back}#sso_error=${err.reason}`;
    }
  }

  /** openid-client redeems the code and checks everything the ID token says; any failure is the provider's answer refused. */
  private async redeem(query: URLSearchParams, flow: { nonce: string; verifier: string }): Promise<oidc.IDToken> {
    let configuration: oidc.Configuration;
    try {
      configuration = await this.discover();
    } catch {
      throw new SsoRefused('unavailable', 'the identity provider cannot be reached');
    }
    const current = new URL(this.redirectUri());
    current.search = query.toString();
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: query.get('state')!,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new SsoRefused('invalid_response', 'the provider sent no ID token');
      if (claims.email !== undefined || !configuration.serverMetadata().userinfo_endpoint) return claims;
      // Providers that keep ID tokens small (OpenID Connect's own default) give the email and
      // name at the userinfo endpoint; its subject must be the ID token's.
      const info = await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
      return { ...claims, email: info.email, email_verified: info.email_verified, name: info.name ?? claims.name, preferred_username: info.preferred_username ?? claims.preferred_username };
    } catch (err) {
      if (err instanceof SsoRefused) throw err;
      const reason = err instanceof TypeError && /fetch/i.test(err.message) ? 'unavailable' : 'invalid_response';
      throw new SsoRefused(reason, err instanceof Error ? err.message : String(err));
    }
  }

  /** The Parley account of this identity: linked before, linked now by a verified email, or new. */
  private async accountFor(claims: oidc.IDToken, client: ClientInfo): Promise<string> {
    const { db, config, now } = this.deps;
    const t = now();
    const email = typeof claims.email === 'string' ? claims.email.toLowerCase().slice(0, 254) : null;
    const known = await db
      .selectFrom('sso_identities')
      .innerJoin('users', 'users.id', 'sso_identities.user_id')
      .select(['users.id', 'users.deactivated_at'])
      .where('sso_identities.issuer', '=', claims.iss)
      .where('sso_identities.subject', '=', claims.sub)
      .executeTakeFirst();
    if (known) {
      if (known.deactivated_at !== null) throw new SsoRefused('deactivated', 'the linked account is deactivated');
      await db.updateTable('sso_identities').set({ last_login_at: t, email }).where('issuer', '=', claims.iss).where('subject', '=', claims.sub).execute();
      await this.audit.record({ actor_id: known.id, action: 'sso.login', target: known.id, data: { issuer: claims.iss }, ip: client.ip });
      return known.id;
    }
    // Only an address the provider verified may claim an account, and only one an admin set:
    // anyone can type any address into a profile, so a self-set one could capture an account.
    const verified = email !== null && claims.email_verified === true;
    if (config.oidcAccounts !== 'create') {
      const owner = verified ? await db.selectFrom('users').select(['id', 'deactivated_at']).where('email', '=', email).executeTakeFirst() : undefined;
      if (owner) {
        if (owner.deactivated_at !== null) throw new SsoRefused('deactivated', 'the account with this email is deactivated');
        await this.link(claims, owner.id, email, t);
        await this.audit.record({ actor_id: owner.id, action: 'sso.linked', target: owner.id, data: { issuer: claims.iss, subject: claims.sub, email }, ip: client.ip });
        return owner.id;
      }
      if (config.oidcAccounts === 'link') {
        throw verified ? new SsoRefused('no_account', `no account has the email ${email}`) : new SsoRefused('email_not_verified', 'the provider did not verify an email to link by');
      }
    }
    const id = await this.provision(claims, verified ? email : null, t);
    await this.link(claims, id, email, t);
    await this.audit.record({ actor_id: id, action: 'sso.provisioned', target: id, data: { issuer: claims.iss, subject: claims.sub, email }, ip: client.ip });
    const made = await this.deps.db.selectFrom('users').select('role').where('id', '=', id).executeTakeFirst();
    await this.auth.defaultChannel?.welcome(id, made?.role === 'owner');
    return id;
  }

  private async link(claims: oidc.IDToken, userId: string, email: string | null, t: number): Promise<void> {
    await this.deps.db.insertInto('sso_identities').values({ issuer: claims.iss, subject: claims.sub, user_id: userId, email, created_at: t, last_login_at: t }).execute();
  }

  /** A new member named after the provider's username (or the email's name), made unique. */
  private async provision(claims: oidc.IDToken, email: string | null, t: number): Promise<string> {
    const { db } = this.deps;
    const wanted = typeof claims.preferred_username === 'string' ? claims.preferred_username : (email?.split('@')[0] ?? `user-${claims.sub}`);
    const base = usernameFrom(wanted);
    const display = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 64) : base;
    // Never used to sign in (password sign-in of this account needs an admin-set password first);
    // a real hash so a password guess costs what it costs for any account.
    const unusable = await hashPassword(crypto.randomBytes(32).toString('base64url'));
    const anyone = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
    // An address is only kept for linking when the provider verified it and no one has it.
    const keptEmail = email && !(await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) ? email : null;
    for (let n = 1; n < 50; n++) {
      const username = n === 1 ? base : `${base.slice(0, 28)}-${n}`;
      const id = newId();
      try {
        await db
          .insertInto('users')
          .values({
            id,
            username,
            password_hash: unusable,
            display_name: display,
            avatar_url: null,
            status_text: null,
            role: anyone ? 'member' : 'owner',
            created_at: t,
            deactivated_at: null,
            last_seen_at: null,
            bot_owner_id: null,
            email: keptEmail,
          })
          .execute();
        return id;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    throw new AppError('conflict', 'No free username could be made for this account.');
  }

  /** The callback's code for a session (single use). */
  async exchange(body: SsoExchangeBody, client: ClientInfo): Promise<AuthResult> {
    const grant = await this.deps.db.deleteFrom('sso_grants').where('code_hash', '=', hashSecret(body.code)).returningAll().executeTakeFirst();
    if (!grant || grant.expires_at <= this.deps.now()) throw new AppError('invalid_token', 'This sign-in has expired or was used; sign in again.');
    return this.auth.sessionFor(grant.user_id, body.device_name, client);
  }
}

/** A valid Parley username (`^[a-z0-9][a-z0-9._-]*$`, 2–32) from whatever the provider calls the person. */
export function usernameFrom(name: string): string {
  const cleaned = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 32)
    .replace(/[-.]+$/, '');
  return cleaned.length >= 2 ? cleaned : `user-${cleaned || crypto.randomBytes(3).toString('hex')}`;
}
