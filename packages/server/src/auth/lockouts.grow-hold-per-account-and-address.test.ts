/**
 * Growing sign-in lockouts as a guesser and an admin meet them, on a real server whose clock the
 * test moves: a lockout after the configured failures, each next one twice as long, forgotten
 * after a quiet day; per account from any address and per address across any accounts; the
 * second step and refresh tokens counted too; admins list and lift lockouts, members may not;
 * every lockout and lift audited.
 */
import { generate } from 'otplib';
import { afterEach, describe, expect, test } from 'vitest';
import type { AuditEntry, ErrorBody, LockoutList, RecoveryCodes, TwoFactorSetup } from '@parley/protocol';
import type { ConfigOverrides } from '../config/config.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

const PASSWORD = 'correct horse battery';
const MIN = 60_000;

interface Rig {
  server: TestServer;
  owner: TestUser;
  /** Moves the server's clock. */
  advance(ms: number): void;
  clock(): number;
}

const running: TestServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

/** Its own server each, so one test's failures from 127.0.0.1 never lock another test out. */
async function rig(limits: ConfigOverrides['limits']): Promise<Rig> {
  let offset = 0;
  const clock = () => Date.now() + offset;
  const server = await startServer(
    { limits: { authRatePerMin: 100_000, lockoutBaseMs: MIN, lockoutMaxMs: 60 * MIN, loginFailureWindowMs: 15 * MIN, lockoutDecayMs: 24 * 60 * MIN, ...limits } },
    undefined,
    {
      now: clock,
    },
  );
  running.push(server);
  const owner = await registerUser(server);
  return { server, owner, advance: (ms) => (offset += ms), clock };
}

type Err = { error: ErrorBody };
const signIn = (r: Rig, username: string, password: string) => api<Err>(r.server, 'POST', '/auth/login', { username, password });
const retryAfter = (res: { status: number; body: Err }) => {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('rate_limited');
  return res.body.error.retry_after_ms!;
};
async function fail(r: Rig, username: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) expect((await signIn(r, username, `wrong ${i}`)).status).toBe(401);
}
const audit = async (r: Rig) => (await api<{ entries: AuditEntry[] }>(r.server, 'GET', '/admin/audit?limit=200', undefined, r.owner.token)).body.entries;

describe('growing lockouts', () => {
  test('the configured failures lock an account out; each next lockout lasts twice as long; a quiet day starts over', async () => {
    const r = await rig({ loginFailuresPerAccount: 3, loginFailuresPerIp: 10_000 });
    const alice = await registerUser(r.server);
    const name = alice.user.username;

    await fail(r, name, 3);
    const first = retryAfter(await signIn(r, name, 'wrong again'));
    expect(first).toBeGreaterThan(MIN - 5_000);
    expect(first).toBeLessThanOrEqual(MIN);
    // Locked out: the right password is not even checked.
    retryAfter(await signIn(r, name, PASSWORD));

    r.advance(MIN + 1);
    await fail(r, name, 3);
    const second = retryAfter(await signIn(r, name, 'wrong again'));
    expect(second).toBeGreaterThan(2 * MIN - 5_000);
    expect(second).toBeLessThanOrEqual(2 * MIN);

    r.advance(2 * MIN + 1);
    await fail(r, name, 3);
    expect(retryAfter(await signIn(r, name, 'x'))).toBeGreaterThan(4 * MIN - 5_000);

    // A day without failures: the next lockout is the first length again.
    r.advance(4 * MIN + 24 * 60 * MIN);
    await fail(r, name, 3);
    expect(retryAfter(await signIn(r, name, 'x'))).toBeLessThanOrEqual(MIN);
    r.advance(MIN + 1);
    expect((await signIn(r, name, PASSWORD)).status).toBe(200);
  });

  test('lockouts grow up to the configured cap', async () => {
    const r = await rig({ loginFailuresPerAccount: 1, loginFailuresPerIp: 10_000, lockoutMaxMs: 3 * MIN });
    const name = (await registerUser(r.server)).user.username;
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      await fail(r, name, 1);
      const wait = retryAfter(await signIn(r, name, 'x'));
      lengths.push(Math.round(wait / MIN));
      r.advance(wait + 1);
    }
    expect(lengths).toEqual([1, 2, 3, 3]);
  });

  test('failures older than the window are forgotten', async () => {
    const r = await rig({ loginFailuresPerAccount: 3, loginFailuresPerIp: 10_000 });
    const name = (await registerUser(r.server)).user.username;
    // Locked out once first, so the key is remembered (a quiet key's row is swept away altogether).
    await fail(r, name, 3);
    r.advance(MIN + 1);
    await fail(r, name, 2);
    r.advance(15 * MIN + 1);
    await fail(r, name, 2);
    expect((await signIn(r, name, PASSWORD)).status).toBe(200);
  });

  test("a success wipes the account's failures: the next lockout needs the full count again", async () => {
    const r = await rig({ loginFailuresPerAccount: 3, loginFailuresPerIp: 10_000 });
    const name = (await registerUser(r.server)).user.username;
    await fail(r, name, 2);
    expect((await signIn(r, name, PASSWORD)).status).toBe(200);
    await fail(r, name, 3);
    retryAfter(await signIn(r, name, PASSWORD));
  });
});

describe('per address', () => {
  test('one address guessing many usernames, real or not, is locked out for all of them; a success there does not reset it', async () => {
    const r = await rig({ loginFailuresPerAccount: 10_000, loginFailuresPerIp: 5 });
    const real = await registerUser(r.server);
    await fail(r, 'made-up-1', 1);
    await fail(r, real.user.username, 1);
    // A success is not a failure, and does not wipe the address's count either (an attacker's own account would).
    expect((await signIn(r, real.user.username, PASSWORD)).status).toBe(200);
    for (let i = 2; i <= 4; i++) await fail(r, `made-up-${i}`, 1);
    // Five failures from this address: every account is refused here, the right password unchecked.
    retryAfter(await signIn(r, 'made-up-5', 'x'));
    retryAfter(await signIn(r, real.user.username, PASSWORD));
    // Refreshing from it too, with a valid token.
    retryAfter(await api<Err>(r.server, 'POST', '/auth/refresh', { refresh_token: real.refresh }));
    expect(await audit(r)).toContainEqual(expect.objectContaining({ action: 'auth.locked_out', target: 'ip:127.0.0.1', ip: '127.0.0.1' }));
    r.advance(MIN + 1);
    expect((await signIn(r, real.user.username, PASSWORD)).status).toBe(200);
  });

  test('refreshes with invalid tokens count against the address, and a valid one is refused while it is locked out', async () => {
    const r = await rig({ loginFailuresPerAccount: 10_000, loginFailuresPerIp: 3 });
    const u = await registerUser(r.server);
    for (const token of ['nonsense', `${u.sessionId}.1.forged`, 'x.y.z']) {
      const res = await api<Err>(r.server, 'POST', '/auth/refresh', { refresh_token: token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_token');
    }
    retryAfter(await api<Err>(r.server, 'POST', '/auth/refresh', { refresh_token: u.refresh }));
    retryAfter(await signIn(r, u.user.username, PASSWORD));
    r.advance(MIN + 1);
    expect((await api(r.server, 'POST', '/auth/refresh', { refresh_token: u.refresh })).status).toBe(200);
  });
});

describe('the second step', () => {
  test('wrong codes count against the account like wrong passwords, and a right password in between does not wipe them', async () => {
    const r = await rig({ loginFailuresPerAccount: 3, loginFailuresPerIp: 10_000 });
    const u = await registerUser(r.server);
    const setup = await api<TwoFactorSetup>(r.server, 'POST', '/me/2fa/setup', undefined, u.token);
    const on = await api<RecoveryCodes>(r.server, 'POST', '/me/2fa/enable', { code: await generate({ secret: setup.body.secret, epoch: Math.floor(r.clock() / 1000) }) }, u.token);
    expect(on.status).toBe(200);

    await fail(r, u.user.username, 1);
    const first = await signIn(r, u.user.username, PASSWORD);
    expect(first.body.error.code).toBe('mfa_required');
    const wrong = await api<Err>(r.server, 'POST', '/auth/login/2fa', { challenge: first.body.error.challenge, code: '000000' });
    expect(wrong.status).toBe(401);
    // Knowing the password gets a new challenge, but the failures stay.
    const again = await signIn(r, u.user.username, PASSWORD);
    expect(again.body.error.code).toBe('mfa_required');
    expect((await api(r.server, 'POST', '/auth/login/2fa', { challenge: again.body.error.challenge, code: '111111' })).status).toBe(401);
    // Three failures (a password, two codes): locked out, the second step included.
    retryAfter(await api<Err>(r.server, 'POST', '/auth/login/2fa', { challenge: again.body.error.challenge, recovery_code: on.body.recovery_codes[0] }));
    retryAfter(await signIn(r, u.user.username, PASSWORD));
    r.advance(MIN + 1);
    const fresh = await signIn(r, u.user.username, PASSWORD);
    expect((await api(r.server, 'POST', '/auth/login/2fa', { challenge: fresh.body.error.challenge, recovery_code: on.body.recovery_codes[0] })).status).toBe(200);
  });
});

describe('admins', () => {
  test('see lockouts and lift them (audited); members may not, and the lockout is audited when it starts', async () => {
    const r = await rig({ loginFailuresPerAccount: 2, loginFailuresPerIp: 10_000 });
    const member = await registerUser(r.server);
    const victim = await registerUser(r.server);
    const key = `account:${victim.user.username}`;
    await fail(r, victim.user.username.toUpperCase(), 2);
    const until = r.clock() + MIN;
    retryAfter(await signIn(r, victim.user.username, PASSWORD));

    const locked = (await audit(r)).find((e) => e.action === 'auth.locked_out' && e.target === key);
    expect(locked).toMatchObject({ actor_id: null, ip: '127.0.0.1', data: { level: 1 } });
    expect(Math.abs(Date.parse((locked!.data as { until: string }).until) - until)).toBeLessThan(5_000);

    const list = await api<LockoutList>(r.server, 'GET', '/admin/lockouts', undefined, r.owner.token);
    expect(list.status).toBe(200);
    const row = list.body.lockouts.find((l) => l.key === key);
    expect(row).toMatchObject({ kind: 'account', subject: victim.user.username, level: 1 });
    expect(Date.parse(row!.locked_until!)).toBeGreaterThan(r.clock());
    // The address had failures too (not locked): listed as such.
    expect(list.body.lockouts.find((l) => l.key === 'ip:127.0.0.1')).toMatchObject({ kind: 'ip', failures: 2, locked_until: null });

    // A member can neither read nor lift them.
    expect((await api<Err>(r.server, 'GET', '/admin/lockouts', undefined, member.token)).body.error.code).toBe('forbidden');
    const denied = await api<Err>(r.server, 'DELETE', `/admin/lockouts/${encodeURIComponent(key)}`, undefined, member.token);
    expect(denied.status).toBe(403);
    retryAfter(await signIn(r, victim.user.username, PASSWORD));

    expect((await api(r.server, 'DELETE', `/admin/lockouts/${encodeURIComponent(key)}`, undefined, r.owner.token)).status).toBe(204);
    expect((await signIn(r, victim.user.username, PASSWORD)).status).toBe(200);
    expect((await api<Err>(r.server, 'DELETE', `/admin/lockouts/${encodeURIComponent(key)}`, undefined, r.owner.token)).body.error.code).toBe('not_found');
    expect(await audit(r)).toContainEqual(expect.objectContaining({ action: 'auth.lockout_cleared', target: key, actor_id: r.owner.user.id }));
    expect((await api<LockoutList>(r.server, 'GET', '/admin/lockouts', undefined, r.owner.token)).body.lockouts.map((l) => l.key)).not.toContain(key);
  });
});
