/**
 * A real OpenID Connect provider for tests (the npm package oidc-provider, as an operator's
 * Keycloak or Okta would be): discovery, signed ID tokens, PKCE, its own login form.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestIdentity {
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
}

export interface IdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** People the provider knows, by subject; add more at any time. */
  accounts: Map<string, TestIdentity>;
  close(): Promise<void>;
}

export async function startIdentityProvider(redirectUri: string): Promise<IdentityProvider> {
  const accounts = new Map<string, TestIdentity>();
  const clientId = 'parley';
  const clientSecret = 'a-client-secret-long-enough-for-hs256-keys';
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    async findAccount(_ctx, sub) {
      const who = accounts.get(sub);
      return who ? { accountId: sub, claims: () => ({ sub, ...who }) } : undefined;
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    cookies: { keys: ['parley-test-provider-cookie-key'] },
    // Consent is the provider's business, not what these tests are about: granted at once.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A browser reduced to what a sign-in needs: a cookie jar per host, redirects followed by hand
 * (so a test can stop at, or tamper with, any hop), and forms posted.
 */
export class TestBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  private cookieHeader(url: URL): string {
    return [...(this.jar.get(url.host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(url: URL, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const jar = this.jar.get(url.host) ?? new Map<string, string>();
      const value = pair!.slice(eq + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(pair!.slice(0, eq).trim());
      else jar.set(pair!.slice(0, eq).trim(), value);
      this.jar.set(url.host, jar);
    }
  }

  /** One request, no redirect followed; `location` resolved against the URL. */
  async request(href: string, form?: Record<string, string>): Promise<{ status: number; location: string | null; body: string }> {
    const url = new URL(href);
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(url), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    this.keep(url, res);
    const location = res.headers.get('location');
    return { status: res.status, location: location === null ? null : new URL(location, url).href, body: await res.text() };
  }

  /** Follows redirects from `href` until one leads to where `stop` says, and returns that address. */
  async follow(href: string, stop: (url: URL) => boolean): Promise<string> {
    let next = href;
    for (let hops = 0; hops < 15; hops++) {
      if (stop(new URL(next))) return next;
      const res = await this.request(next);
      if (!res.location) throw new Error(`${next} answered ${res.status} without a redirect: ${res.body.slice(0, 300)}`);
      next = res.location;
    }
    throw new Error(`too many redirects from ${href}`);
  }

  /** At the provider's login form: sign in as `sub` and follow on until the address `stop` wants. */
  async signInAtProvider(interactionUrl: string, sub: string, stop: (url: URL) => boolean): Promise<string> {
    const form = await this.request(interactionUrl);
    const action = /action="([^"]+)"/.exec(form.body)?.[1];
    if (!action) throw new Error(`no login form at ${interactionUrl}: ${form.body.slice(0, 300)}`);
    const posted = await this.request(new URL(action, interactionUrl).href, { prompt: 'login', login: sub, password: 'any' });
    if (!posted.location) throw new Error(`the login form answered ${posted.status}: ${posted.body.slice(0, 300)}`);
    return this.follow(posted.location, stop);
  }
}
