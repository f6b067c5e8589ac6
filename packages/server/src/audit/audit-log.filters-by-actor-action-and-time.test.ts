/**
 * `GET /admin/audit` filtered: by who acted (username or id), by action (exact or a prefix), by
 * time (ISO or milliseconds), paged with `before`; a filter it cannot read is a 400 naming the
 * field; and only owners and admins get any answer, whatever the filters.
 */
import { expect, test } from 'vitest';
import type { AuditEntry, ErrorBody } from '@parley/protocol';
import { api, login, registerUser, sleep, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server: TestServer;
let owner: TestUser;
serverPerFile((s, o) => {
  server = s;
  owner = o;
});

type Answer = { entries: AuditEntry[] } & { error: ErrorBody };
const audit = (query: string, token = owner.token) => api<Answer>(server, 'GET', `/admin/audit?${query}`, undefined, token);

async function ok(query: string): Promise<AuditEntry[]> {
  const res = await audit(query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.entries;
}

test('actor picks one user’s entries, by username (with or without @, any case) or by id', async () => {
  const ivy = await registerUser(server);
  const other = await registerUser(server);
  await login(server, ivy.user.username);
  await login(server, other.user.username);
  const byName = await ok(`actor=${ivy.user.username.toUpperCase()}`);
  expect(byName.length).toBeGreaterThanOrEqual(3); // registered, signed in at sign-up, signed in again
  expect(new Set(byName.map((e) => e.actor_id))).toEqual(new Set([ivy.user.id]));
  expect(new Set(byName.map((e) => e.actor_username))).toEqual(new Set([ivy.user.username]));
  expect(await ok(`actor=${encodeURIComponent('@' + ivy.user.username)}`)).toEqual(byName);
  expect(await ok(`actor=${ivy.user.id}`)).toEqual(byName);
});

test('action matches one action exactly, or every action under a prefix written auth., auth.* or auth*', async () => {
  const jack = await registerUser(server);
  expect((await api(server, 'POST', '/auth/login', { username: jack.user.username, password: 'not his password' })).status).toBe(401);
  await login(server, jack.user.username);
  const mine = `actor=${jack.user.id}`;

  const exact = await ok(`${mine}&action=auth.login`);
  expect(exact.map((e) => e.action)).toEqual(['auth.login', 'auth.login']);
  // `_` is a literal underscore in a prefix, not LIKE's any-character.
  expect((await ok(`${mine}&action=auth.login_`)).length).toBe(0);
  for (const prefix of ['auth.', 'auth.*', 'auth*', 'AUTH.']) {
    const all = await ok(`${mine}&action=${encodeURIComponent(prefix)}`);
    expect(all.map((e) => e.action).sort(), prefix).toEqual(['auth.login', 'auth.login', 'auth.login_failed']);
  }
  // `auth` alone is the action named so (there is none), not a prefix.
  expect(await ok(`${mine}&action=auth`)).toEqual([]);
  expect((await ok(`${mine}&action=user.`)).map((e) => e.action)).toEqual(['user.registered']);
});

test('since (inclusive) and until (exclusive) bound the time, as ISO or milliseconds, and page with before', async () => {
  const kim = await registerUser(server);
  await sleep(20);
  const middle = Date.now();
  await sleep(20);
  const second = await login(server, kim.user.username);
  const mine = `actor=${kim.user.id}&action=auth.login`;

  const after = await ok(`${mine}&since=${middle}`);
  expect(after.map((e) => (e.data as { session_id: string }).session_id)).toEqual([second.sessionId]);
  const afterIso = await ok(`${mine}&since=${encodeURIComponent(new Date(middle).toISOString())}`);
  expect(afterIso).toEqual(after);
  const before = await ok(`${mine}&until=${encodeURIComponent(new Date(middle).toISOString())}`);
  expect(before.map((e) => (e.data as { session_id: string }).session_id)).toEqual([kim.sessionId]);
  expect(await ok(`${mine}&since=${middle}&until=${Date.now() + 60_000}`)).toEqual(after);
  // Far in the past and the future.
  expect((await ok(`${mine}&since=2000-01-01`)).length).toBe(2);
  expect(await ok(`${mine}&since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`)).toEqual([]);

  // One entry a page: the second page (before the first page's id) is the older entry.
  const [first] = await ok(`${mine}&limit=1`);
  expect(first!.id).toBe(after[0]!.id);
  const next = await ok(`${mine}&limit=1&before=${first!.id}`);
  expect(next.map((e) => e.id)).toEqual([before[0]!.id]);
});

test('a filter the server cannot read is a 400 invalid_request naming it', async () => {
  const cases: [string, string][] = [
    ['since=yesterday', '/querystring/since'],
    ['since=2026-13-45T00:00:00Z', '/querystring/since'],
    ['until=12%3A00', '/querystring/until'],
    ['since=2026-12-02&until=2026-12-01', '/querystring/until'],
    ['action=auth..login', '/querystring/action'],
    ['action=*', '/querystring/action'],
    ['action=auth%20login', '/querystring/action'],
    ['actor=nobody-has-this-name', '/querystring/actor'],
    ['actor=%40', '/querystring/actor'],
    ['before=not-an-id', '/querystring/before'],
    ['limit=0', '/querystring/limit'],
    ['limit=501', '/querystring/limit'],
  ];
  for (const [query, field] of cases) {
    const res = await audit(query);
    expect({ query, status: res.status, code: res.body.error?.code, field: res.body.error?.field }).toEqual({ query, status: 400, code: 'invalid_request', field });
    expect(res.body.error.message.length).toBeGreaterThan(0);
  }
});

test('attacker: a member or guest gets 403 whatever the filters (no name probing through actor), no token gets 401', async () => {
  const mallory = await registerUser(server);
  const guest = await registerUser(server);
  expect((await api(server, 'PATCH', `/admin/users/${guest.user.id}`, { role: 'guest' }, owner.token)).status).toBe(200);
  for (const token of [mallory.token, guest.token]) {
    for (const query of ['', `actor=${owner.user.username}`, 'actor=nobody-has-this-name', 'action=auth.', 'since=yesterday']) {
      const res = await audit(query, token);
      expect({ query, status: res.status, code: res.body.error?.code }).toEqual({ query, status: 403, code: 'forbidden' });
    }
  }
  const anonymous = await api<Answer>(server, 'GET', `/admin/audit?actor=${owner.user.username}`);
  expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'unauthenticated']);
  // A demoted admin loses the log at once.
  const former = await registerUser(server);
  expect((await api(server, 'PATCH', `/admin/users/${former.user.id}`, { role: 'admin' }, owner.token)).status).toBe(200);
  expect((await audit('action=auth.', former.token)).status).toBe(200);
  expect((await api(server, 'PATCH', `/admin/users/${former.user.id}`, { role: 'member' }, owner.token)).status).toBe(200);
  expect((await audit('action=auth.', former.token)).status).toBe(403);
});
