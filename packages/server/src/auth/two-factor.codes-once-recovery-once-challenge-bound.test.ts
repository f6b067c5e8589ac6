/**
 * Two-factor sign-in as a user and an attacker meet it, against a real server on a clock the test
 * moves: enrolment needs a first code; with it on, the password alone gets only a short-lived
 * challenge; a code is accepted once (a replay within its window is refused), a recovery code
 * once; a challenge dies after a few wrong codes or a few minutes; turning it off needs a code;
 * an admin's reset is audited; API tokens are unaffected.
 */
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AuthResult, RecoveryCodes, TwoFactorSetup, TwoFactorStatus } from '@parley/protocol';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

let clock = Date.now();
let server!: TestServer;
let owner!: TestUser;
beforeAll(async () => {
  server = await startServer({}, undefined, { now: () => clock });
  owner = await registerUser(server, 'boss');
});
afterAll(() => server?.stop());

const PASSWORD = 'correct horse battery';
const codeAt = (secret: string, ms = clock) => generate({ secret, epoch: Math.floor(ms / 1000) });
const login = (username: string, extra: Record<string, string> = {}) =>
  api<AuthResult & { error?: { code: string; challenge?: string } }>(server, 'POST', '/auth/login', { username, password: PASSWORD, ...extra });
const second = (challenge: string, proof: Record<string, string>) => api<AuthResult & { error?: { code: string } }>(server, 'POST', '/auth/login/2fa', { challenge, ...proof });

async function enrolled(): Promise<{ u: TestUser; secret: string; codes: string[] }> {
  const u = await registerUser(server);
  const setup = await api<TwoFactorSetup>(server, 'POST', '/me/2fa/setup', undefined, u.token);
  expect(setup.status).toBe(200);
  expect(setup.body.otpauth_uri).toMatch(new RegExp(`^otpauth://totp/Parley:${u.user.username}\\?secret=${setup.body.secret}&`));
  expect((await api(server, 'POST', '/me/2fa/enable', { code: '000000' }, u.token)).status).toBe(401);
  const on = await api<RecoveryCodes>(server, 'POST', '/me/2fa/enable', { code: await codeAt(setup.body.secret) }, u.token);
  expect(on.status).toBe(200);
  expect(on.body.recovery_codes).toHaveLength(10);
  // The next code is a new period's.
  clock += 30_000;
  return { u, secret: setup.body.secret, codes: on.body.recovery_codes };
}

describe('two-factor sign-in', () => {
  test('the password alone gets a challenge; its code signs in; the same code again is refused, even within its window', async () => {
    const { u, secret } = await enrolled();
    const first = await login(u.user.username);
    expect(first.status).toBe(401);
    expect(first.body.error).toMatchObject({ code: 'mfa_required' });
    const challenge = first.body.error!.challenge!;
    const code = await codeAt(secret);
    const ok = await second(challenge, { code });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(u.user.id);
    expect((await api(server, 'GET', '/me', undefined, ok.body.access_token)).status).toBe(200);
    // A spent challenge is gone; the code seen over a shoulder is worthless, on either path.
    expect((await second(challenge, { code })).body.error).toMatchObject({ code: 'invalid_token' });
    const again = await login(u.user.username);
    expect((await second(again.body.error!.challenge!, { code })).status).toBe(401);
    expect((await login(u.user.username, { code })).status).toBe(401);
    // The next period's code works in one step.
    clock += 30_000;
    expect((await login(u.user.username, { code: await codeAt(secret) })).status).toBe(200);
  });

  test('a recovery code signs in once; the status counts what is left', async () => {
    const { u, codes } = await enrolled();
    const challenge = (await login(u.user.username)).body.error!.challenge!;
    expect((await second(challenge, { recovery_code: codes[0]!.toUpperCase() })).status).toBe(200);
    const again = (await login(u.user.username)).body.error!.challenge!;
    expect((await second(again, { recovery_code: codes[0]! })).status).toBe(401);
    const status = await api<TwoFactorStatus>(server, 'GET', '/me/2fa', undefined, u.token);
    expect(status.body).toMatchObject({ enabled: true, recovery_codes_left: 9 });
  });

  test('a challenge takes five wrong codes, then not even the right one; it lives five minutes', async () => {
    const { u, secret } = await enrolled();
    const challenge = (await login(u.user.username)).body.error!.challenge!;
    for (let i = 0; i < 5; i++) expect((await second(challenge, { code: '123456' })).body.error).toMatchObject({ code: 'invalid_credentials' });
    expect((await second(challenge, { code: await codeAt(secret) })).body.error).toMatchObject({ code: 'invalid_token' });
    const slow = (await login(u.user.username)).body.error!.challenge!;
    clock += 5 * 60_000 + 1_000;
    expect((await second(slow, { code: await codeAt(secret) })).body.error).toMatchObject({ code: 'invalid_token' });
    expect((await second('x'.repeat(43), { code: await codeAt(secret) })).body.error).toMatchObject({ code: 'invalid_token' });
  });

  test('turning it off needs a code; then the password alone signs in again', async () => {
    const { u, secret } = await enrolled();
    expect((await api(server, 'POST', '/me/2fa/disable', { code: '000000' }, u.token)).status).toBe(401);
    expect((await api(server, 'POST', '/me/2fa/disable', {}, u.token)).status).toBe(401);
    expect((await api(server, 'POST', '/me/2fa/disable', { code: await codeAt(secret) }, u.token)).status).toBe(204);
    expect((await login(u.user.username)).status).toBe(200);
    expect((await api<TwoFactorStatus>(server, 'GET', '/me/2fa', undefined, u.token)).body).toEqual({ enabled: false, enabled_at: null, recovery_codes_left: 0 });
  });

  test('an admin resets a lost phone (audited); a member may not; API tokens of a user with two-factor still work', async () => {
    const { u } = await enrolled();
    const member = await registerUser(server);
    expect((await api(server, 'DELETE', `/admin/users/${u.user.id}/2fa`, undefined, member.token)).status).toBe(403);
    const token = await api<{ token: string }>(server, 'POST', '/tokens', { name: 'script' }, u.token);
    expect(token.status).toBe(201);
    expect((await api(server, 'GET', '/me', undefined, token.body.token)).status).toBe(200);
    expect((await api(server, 'POST', '/me/2fa/setup', undefined, token.body.token)).status).toBe(409);
    expect((await api(server, 'DELETE', `/admin/users/${u.user.id}/2fa`, undefined, owner.token)).status).toBe(204);
    expect((await login(u.user.username)).status).toBe(200);
    const audit = await api<{ entries: { action: string; actor_id: string | null; target: string | null }[] }>(server, 'GET', '/admin/audit?limit=200', undefined, owner.token);
    const actions = audit.body.entries.filter((e) => e.target === u.user.id).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['2fa.enabled', '2fa.reset']));
  });
});
