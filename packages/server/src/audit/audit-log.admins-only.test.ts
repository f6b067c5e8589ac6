import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorCode } from '@parley/protocol';
import { api, login, registerUser, startServer, type ApiResult, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;
let owner: TestUser;
beforeAll(async () => {
  server = await startServer();
  owner = await registerUser(server, 'owner');
});
afterAll(async () => {
  await server.stop();
});

interface Entry {
  id: string;
  actor_id: string | null;
  action: string;
  target: string | null;
  data: Record<string, unknown>;
  created_at: string;
}

function expectError(res: ApiResult, status: number, code: ErrorCode): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
}

const audit = async (token: string) => {
  const res = await api<{ entries: Entry[] }>(server, 'GET', '/admin/audit', undefined, token);
  expect(res.status).toBe(200);
  return res.body.entries;
};

test('the audit log shows admins failed logins and session revocations, without the password tried', async () => {
  const victim = await registerUser(server, 'victim');
  const failed = await api(server, 'POST', '/auth/login', { username: 'victim', password: 'hunter2-wrong-guess' });
  expect(failed.status).toBe(401);
  const laptop = await login(server, 'victim');
  expect((await api(server, 'DELETE', `/sessions/${victim.sessionId}`, undefined, laptop.token)).status).toBe(204);
  expect((await api(server, 'POST', '/auth/logout', undefined, laptop.token)).status).toBe(204);

  const entries = await audit(owner.token);
  expect(entries).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ action: 'auth.login_failed', target: 'victim', actor_id: victim.user.id }),
      expect.objectContaining({ action: 'session.revoked', target: victim.sessionId, data: expect.objectContaining({ reason: 'revoked_by_user' }) }),
      expect.objectContaining({ action: 'session.revoked', target: laptop.sessionId, data: expect.objectContaining({ reason: 'logout' }) }),
    ]),
  );
  expect(JSON.stringify(entries)).not.toContain('hunter2-wrong-guess');
  // Newest first.
  const ids = entries.map((e) => e.id);
  expect([...ids].sort().reverse()).toEqual(ids);
});

test('a workspace admin can read the audit log, including the role change that made them admin', async () => {
  const a = await registerUser(server);
  expect((await api(server, 'PATCH', `/admin/users/${a.user.id}`, { role: 'admin' }, owner.token)).status).toBe(200);
  const entries = await audit(a.token);
  expect(entries).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'user.updated_by_admin', actor_id: owner.user.id, target: a.user.id })]));
});

test('members and guests are refused the audit log with 403 forbidden, anonymous callers with 401', async () => {
  const member = await registerUser(server);
  const guest = await registerUser(server);
  expect((await api(server, 'PATCH', `/admin/users/${guest.user.id}`, { role: 'guest' }, owner.token)).status).toBe(200);
  expectError(await api(server, 'GET', '/admin/audit', undefined, member.token), 403, 'forbidden');
  expectError(await api(server, 'GET', '/admin/audit', undefined, guest.token), 403, 'forbidden');
  expectError(await api(server, 'GET', '/admin/audit'), 401, 'unauthenticated');
});
