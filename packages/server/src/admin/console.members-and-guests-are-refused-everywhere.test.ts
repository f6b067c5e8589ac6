import { afterAll, beforeAll, expect, test } from 'vitest';
import type { User } from '@parley/protocol';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;
let owner: TestUser;
let admin: TestUser;
let member: TestUser;
let guest: TestUser;
beforeAll(async () => {
  server = await startServer();
  owner = await registerUser(server);
  admin = await registerUser(server);
  member = await registerUser(server);
  guest = await registerUser(server);
  expect((await api<User>(server, 'PATCH', `/admin/users/${admin.user.id}`, { role: 'admin' }, owner.token)).status).toBe(200);
  expect((await api<User>(server, 'PATCH', `/admin/users/${guest.user.id}`, { role: 'guest' }, owner.token)).status).toBe(200);
});
afterAll(async () => {
  await server.stop();
});

const routes = (target: TestUser): [string, string][] => [
  ['GET', `/admin/users/${target.user.id}/sessions`],
  ['DELETE', `/admin/users/${target.user.id}/sessions`],
  ['GET', '/admin/channels'],
  ['GET', '/admin/stats'],
  ['GET', '/admin/integrations'],
];

test('a member and a guest get 403 forbidden on every admin console route, and nobody is signed out', async () => {
  for (const who of [member, guest]) {
    for (const [method, route] of routes(owner)) {
      const res = await api(server, method, route, undefined, who.token);
      expect({ route: `${method} ${route}`, status: res.status, code: (res.body as { error?: { code: string } }).error?.code }).toEqual({
        route: `${method} ${route}`,
        status: 403,
        code: 'forbidden',
      });
    }
    // Not even their own sessions through the console.
    expect((await api(server, 'DELETE', `/admin/users/${who.user.id}/sessions`, undefined, who.token)).status).toBe(403);
  }
  expect((await api(server, 'GET', '/me', undefined, owner.token)).status).toBe(200);
  expect((await api(server, 'GET', '/me', undefined, member.token)).status).toBe(200);
});

test("a workspace admin may not list or end an owner's sessions, but may a member's", async () => {
  expect((await api(server, 'GET', `/admin/users/${owner.user.id}/sessions`, undefined, admin.token)).status).toBe(403);
  expect((await api(server, 'DELETE', `/admin/users/${owner.user.id}/sessions`, undefined, admin.token)).status).toBe(403);
  expect((await api(server, 'GET', '/me', undefined, owner.token)).status).toBe(200);
  const listed = await api<{ sessions: { id: string }[] }>(server, 'GET', `/admin/users/${member.user.id}/sessions`, undefined, admin.token);
  expect(listed.status).toBe(200);
  expect(listed.body.sessions.map((s) => s.id)).toEqual([member.sessionId]);
});

test('an unknown user is 404, a malformed id 400', async () => {
  expect((await api(server, 'GET', `/admin/users/${'0'.repeat(26)}/sessions`, undefined, owner.token)).status).toBe(404);
  expect((await api(server, 'DELETE', '/admin/users/nope/sessions', undefined, owner.token)).status).toBe(400);
});
