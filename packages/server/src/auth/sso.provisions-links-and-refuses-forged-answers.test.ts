/**
 * Single sign-on against a real OpenID Connect provider (oidc-provider, started here), driven as
 * a browser drives it: Parley's start redirect, the provider's login form, the callback, the
 * exchange. And the forgeries a sign-in must refuse: a state no sign-in has, an ID token with
 * another nonce, the answer delivered to a browser that did not start the sign-in, a code used twice.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AuthOptions, AuthResult, ErrorBody } from '@parley/protocol';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { freePort } from '../testing/ports.js';
import { startIdentityProvider, TestBrowser, type IdentityProvider } from '../testing/identity-provider.js';
import type { ConfigOverrides } from '../config/config.js';

type Err = { error: ErrorBody };

async function withProvider(overrides: ConfigOverrides = {}): Promise<{ server: TestServer; idp: IdentityProvider }> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const idp = await startIdentityProvider(`${publicUrl}/api/v1/auth/sso/callback`);
  const server = await startServer({ port, publicUrl, oidcIssuer: idp.issuer, oidcClientId: idp.clientId, oidcClientSecret: idp.clientSecret, oidcName: 'Corp ID', ...overrides });
  return { server, idp };
}

const atProviderLogin = (idp: IdentityProvider) => (u: URL) => u.origin === idp.issuer && u.pathname.startsWith('/interaction/');
const atCallback = (server: TestServer) => (u: URL) => u.href.startsWith(`${server.url}/api/v1/auth/sso/callback`);

/** Parley's start, as the web app's button opens it: the provider's authorisation URL. */
async function start(browser: TestBrowser, server: TestServer, returnTo = '/'): Promise<string> {
  const res = await browser.request(`${server.url}/api/v1/auth/sso/start?return_to=${encodeURIComponent(returnTo)}`);
  expect(res.status).toBe(302);
  return res.location!;
}

/** A whole sign-in as `sub`, up to the callback's redirect into the web app. */
async function signIn(server: TestServer, idp: IdentityProvider, sub: string, tamper: (authUrl: URL) => void = () => undefined, browser = new TestBrowser()): Promise<string> {
  const authUrl = new URL(await start(browser, server));
  tamper(authUrl);
  const login = await browser.follow(authUrl.href, atProviderLogin(idp));
  const callback = await browser.signInAtProvider(login, sub, atCallback(server));
  const back = await browser.request(callback);
  expect(back.status).toBe(302);
  return back.location!;
}

const fragment = (location: string) => new URLSearchParams(new URL(location).hash.slice(1));

async function exchange(server: TestServer, location: string) {
  const code = fragment(location).get('sso_code');
  expect(code, `signed in: ${location}`).toBeTruthy();
  return api<AuthResult & Err>(server, 'POST', '/auth/sso/exchange', { code, device_name: 'SSO test' });
}

describe('single sign-on (create-or-link)', () => {
  let server!: TestServer;
  let idp!: IdentityProvider;
  let owner!: TestUser;
  beforeAll(async () => {
    ({ server, idp } = await withProvider());
    owner = await registerUser(server);
  });
  afterAll(async () => {
    await server?.stop();
    await idp?.close();
  });

  test('the sign-in screen learns that single sign-on is there and what it is called', async () => {
    const options = await api<AuthOptions>(server, 'GET', '/auth/options');
    expect(options.body).toEqual({ password_login: 'everyone', registration: 'open', sso: { name: 'Corp ID', start_url: '/api/v1/auth/sso/start' } });
  });

  test('a first sign-in creates the account, a second signs into the same one; the session works and is audited', async () => {
    idp.accounts.set('alice-sub', { email: 'Alice@Corp.test', email_verified: true, name: 'Alice Liddell', preferred_username: 'alice' });
    const first = await exchange(server, await signIn(server, idp, 'alice-sub'));
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ username: 'alice', display_name: 'Alice Liddell', role: 'member' });
    const me = await api<{ id: string }>(server, 'GET', '/me', undefined, first.body.access_token);
    expect(me.body.id).toBe(first.body.user.id);

    const second = await exchange(server, await signIn(server, idp, 'alice-sub'));
    expect(second.body.user.id).toBe(first.body.user.id);
    expect(second.body.session_id).not.toBe(first.body.session_id);

    const audit = await api<{ entries: { action: string; target: string | null }[] }>(server, 'GET', '/admin/audit?limit=50', undefined, owner.token);
    const actions = audit.body.entries.filter((e) => e.target === first.body.user.id).map((e) => e.action);
    expect(actions).toContain('sso.provisioned');
    expect(actions).toContain('sso.login');
  });

  test('an existing account is linked when the provider verified the email an admin set on it, and only then', async () => {
    const bob = await registerUser(server);
    expect((await api(server, 'PATCH', `/admin/users/${bob.user.id}`, { email: 'bob@corp.test' }, owner.token)).status).toBe(200);
    idp.accounts.set('bob-sub', { email: 'bob@corp.test', email_verified: true, preferred_username: 'bobby' });
    const linked = await exchange(server, await signIn(server, idp, 'bob-sub'));
    expect(linked.body.user.id).toBe(bob.user.id);

    // Someone whose provider account claims carol's address without having verified it gets an
    // account of their own, never carol's.
    const carol = await registerUser(server);
    await api(server, 'PATCH', `/admin/users/${carol.user.id}`, { email: 'carol@corp.test' }, owner.token);
    idp.accounts.set('mallory-sub', { email: 'carol@corp.test', email_verified: false, preferred_username: 'carol' });
    const mallory = await exchange(server, await signIn(server, idp, 'mallory-sub'));
    expect(mallory.status).toBe(200);
    expect(mallory.body.user.id).not.toBe(carol.user.id);
    expect(mallory.body.user.username).toBe('carol');
    const carolNow = await api<{ id: string }>(server, 'GET', '/me', undefined, carol.token);
    expect(carolNow.body.id).toBe(carol.user.id);
  });

  test('a state that no sign-in has is refused, and nobody is signed in', async () => {
    idp.accounts.set('dave-sub', { email: 'dave@corp.test', email_verified: true });
    const location = await signIn(server, idp, 'dave-sub', (u) => u.searchParams.set('state', 'forged-state-0123456789abcdef'));
    expect(fragment(location).get('sso_error')).toBe('expired');
    expect(fragment(location).get('sso_code')).toBeNull();
  });

  test('an ID token carrying another nonce than the sign-in asked for is refused', async () => {
    idp.accounts.set('erin-sub', { email: 'erin@corp.test', email_verified: true });
    const location = await signIn(server, idp, 'erin-sub', (u) => u.searchParams.set('nonce', 'a-nonce-this-sign-in-never-made'));
    expect(fragment(location).get('sso_error')).toBe('invalid_response');
    expect(fragment(location).get('sso_code')).toBeNull();
  });

  test("the provider's answer is refused in a browser that did not start the sign-in (no planted sign-ins)", async () => {
    idp.accounts.set('frank-sub', { email: 'frank@corp.test', email_verified: true });
    const attacker = new TestBrowser();
    const login = await attacker.follow(await start(attacker, server), atProviderLogin(idp));
    const callback = await attacker.signInAtProvider(login, 'frank-sub', atCallback(server));
    // The attacker sends the callback link to a victim, whose browser has no sign-in cookie.
    const victim = await new TestBrowser().request(callback);
    expect(fragment(victim.location!).get('sso_error')).toBe('wrong_browser');
    // And the flow is spent: the attacker's own browser cannot use it afterwards either.
    const again = await attacker.request(callback);
    expect(fragment(again.location!).get('sso_error')).toBe('expired');
  });

  test('the code in the address is good for one session only', async () => {
    idp.accounts.set('grace-sub', { email: 'grace@corp.test', email_verified: true });
    const location = await signIn(server, idp, 'grace-sub');
    expect((await exchange(server, location)).status).toBe(200);
    const replay = await exchange(server, location);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('invalid_token');
  });

  test('start refuses to send the browser anywhere but this site or a loopback address', async () => {
    for (const bad of ['https://evil.example/', '//evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const res = await api<Err>(server, 'GET', `/auth/sso/start?return_to=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    const cli = await new TestBrowser().request(`${server.url}/api/v1/auth/sso/start?return_to=${encodeURIComponent('http://127.0.0.1:40123/done')}`);
    expect(cli.status).toBe(302);
  });

  test('a deactivated account cannot sign in through the provider', async () => {
    idp.accounts.set('heidi-sub', { email: 'heidi@corp.test', email_verified: true });
    const heidi = await exchange(server, await signIn(server, idp, 'heidi-sub'));
    await api(server, 'PATCH', `/admin/users/${heidi.body.user.id}`, { deactivated: true }, owner.token);
    expect(fragment(await signIn(server, idp, 'heidi-sub')).get('sso_error')).toBe('deactivated');
  });
});

describe('single sign-on only (password sign-in for admins, link-only accounts)', () => {
  let server!: TestServer;
  let idp!: IdentityProvider;
  let owner!: TestUser;
  let dave!: TestUser;
  beforeAll(async () => {
    // The workspace ran with passwords first; the operator then turns single sign-on on, with
    // password sign-in left to admins and accounts linked only (a restart with new settings).
    const before = await withProvider();
    idp = before.idp;
    owner = await registerUser(before.server);
    dave = await registerUser(before.server);
    await api(before.server, 'PATCH', `/admin/users/${dave.user.id}`, { email: 'dave@corp.test' }, owner.token);
    await before.server.stop();
    const port = Number(new URL(before.server.url).port);
    server = await startServer(
      { port, publicUrl: before.server.url, oidcIssuer: idp.issuer, oidcClientId: idp.clientId, oidcClientSecret: idp.clientSecret, passwordLogin: 'admins', oidcAccounts: 'link' },
      before.server.dataDir,
    );
  });
  afterAll(async () => {
    await server?.stop();
    await idp?.close();
  });

  test('the owner signs in with a password; sign-up by password is closed; the sign-in screen is told', async () => {
    expect((await api(server, 'POST', '/auth/login', { username: owner.user.username, password: 'correct horse battery' })).status).toBe(200);
    const signUp = await api<Err>(server, 'POST', '/auth/register', { username: 'newcomer', password: 'correct horse battery' });
    expect(signUp.status).toBe(403);
    expect(signUp.body.error.code).toBe('registration_closed');
    expect((await api<AuthOptions>(server, 'GET', '/auth/options')).body).toMatchObject({ password_login: 'admins', registration: 'closed', sso: { name: 'SSO' } });
  });

  test('a member with the right password is sent to single sign-on; a wrong one still only hears that it is wrong', async () => {
    const right = await api<Err>(server, 'POST', '/auth/login', { username: dave.user.username, password: 'correct horse battery' });
    expect(right.status).toBe(403);
    expect(right.body.error.code).toBe('password_login_disabled');
    const wrong = await api<Err>(server, 'POST', '/auth/login', { username: dave.user.username, password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
  });

  test('link mode signs in the account with the verified address, and creates none', async () => {
    idp.accounts.set('dave-at-corp', { email: 'dave@corp.test', email_verified: true, preferred_username: 'dave' });
    const linked = await exchange(server, await signIn(server, idp, 'dave-at-corp'));
    expect(linked.body.user.id).toBe(dave.user.id);
    idp.accounts.set('stranger', { email: 'stranger@corp.test', email_verified: true });
    expect(fragment(await signIn(server, idp, 'stranger')).get('sso_error')).toBe('no_account');
    idp.accounts.set('unverified', { email: 'dave@corp.test', email_verified: false });
    expect(fragment(await signIn(server, idp, 'unverified')).get('sso_error')).toBe('email_not_verified');
  });
});
