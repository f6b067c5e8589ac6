import { afterAll, beforeAll, expect, test } from 'vitest';
import { CloseCodes, type AuditEntry, type Session, type User } from '@parley/protocol';
import { SocketClient, api, login, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

type AuditEntryList = { entries: AuditEntry[] };

let server: TestServer;
let owner: TestUser;
beforeAll(async () => {
  server = await startServer();
  owner = await registerUser(server);
});
afterAll(async () => {
  await server.stop();
});

test("signing a user out everywhere revokes each device session, closes each device's socket at once, and is audited", async () => {
  const laptop = await registerUser(server);
  const phone = await login(server, laptop.user.username);
  const sockets = [await SocketClient.connect(server, laptop.token), await SocketClient.connect(server, phone.token)];

  const listed = await api<{ sessions: Session[] }>(server, 'GET', `/admin/users/${laptop.user.id}/sessions`, undefined, owner.token);
  expect(listed.status).toBe(200);
  expect(listed.body.sessions.map((s) => s.id).sort()).toEqual([laptop.sessionId, phone.sessionId].sort());
  expect(listed.body.sessions.every((s) => !s.current)).toBe(true);

  const res = await api<{ revoked: number }>(server, 'DELETE', `/admin/users/${laptop.user.id}/sessions`, undefined, owner.token);
  expect(res).toMatchObject({ status: 200, body: { revoked: 2 } });
  for (const s of sockets) expect((await s.closed).code).toBe(CloseCodes.sessionRevoked);

  // Neither device's token works any more, nor its refresh token; the list is empty.
  expect((await api(server, 'GET', '/me', undefined, laptop.token)).status).toBe(401);
  expect((await api(server, 'GET', '/me', undefined, phone.token)).status).toBe(401);
  expect((await api(server, 'POST', '/auth/refresh', { refresh_token: phone.refresh })).status).toBeGreaterThanOrEqual(400);
  const after = await api<{ sessions: Session[] }>(server, 'GET', `/admin/users/${laptop.user.id}/sessions`, undefined, owner.token);
  expect(after.body.sessions).toEqual([]);
  // The owner's own session is untouched.
  expect((await api(server, 'GET', '/me', undefined, owner.token)).status).toBe(200);

  const audit = await api<AuditEntryList>(server, 'GET', '/admin/audit?action=user.sessions*', undefined, owner.token);
  expect(audit.body.entries.map((e) => [e.action, e.target, e.actor_id])).toEqual([
    ['user.sessions_viewed', laptop.user.id, owner.user.id],
    ['user.sessions_revoked', laptop.user.id, owner.user.id],
    ['user.sessions_viewed', laptop.user.id, owner.user.id],
  ]);
  const revoked = await api<AuditEntryList>(server, 'GET', '/admin/audit?action=session.revoked', undefined, owner.token);
  expect(revoked.body.entries.map((e) => e.target).sort()).toEqual([laptop.sessionId, phone.sessionId].sort());
});

test('deactivating a user from the console closes their open sockets, and they cannot sign in again', async () => {
  const user = await registerUser(server);
  const socket = await SocketClient.connect(server, user.token);
  const res = await api<User>(server, 'PATCH', `/admin/users/${user.user.id}`, { deactivated: true }, owner.token);
  expect(res.status).toBe(200);
  await socket.closed;
  expect((await api(server, 'GET', '/me', undefined, user.token)).status).toBe(401);
  expect((await api(server, 'POST', '/auth/login', { username: user.user.username, password: 'correct horse battery' })).status).toBeGreaterThanOrEqual(400);
});
