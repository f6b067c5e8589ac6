/**
 * The email address single sign-on links an account by: an admin sets it and reads it back in
 * `GET /admin/users` (the admin console's Users tab shows it there); nobody else sees it, not even
 * in the user object; two accounts may not share one.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AdminUserList, ErrorBody, User } from '@parley/protocol';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;
let owner: TestUser;
let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  server = await startServer();
  owner = await registerUser(server);
  alice = await registerUser(server);
  bob = await registerUser(server);
});
afterAll(async () => {
  await server.stop();
});

const listed = async (q: string) => (await api<AdminUserList>(server, 'GET', `/admin/users?query=${q}`, undefined, owner.token)).body;

test('an admin sets an address and reads it back; clearing removes it', async () => {
  expect((await listed(alice.user.username)).emails).toEqual([]);
  expect((await api<User>(server, 'PATCH', `/admin/users/${alice.user.id}`, { email: 'Alice@Corp.test' }, owner.token)).status).toBe(200);
  expect((await listed(alice.user.username)).emails).toEqual([{ id: alice.user.id, email: 'alice@corp.test' }]);
  expect((await api<User>(server, 'PATCH', `/admin/users/${alice.user.id}`, { email: null }, owner.token)).status).toBe(200);
  expect((await listed(alice.user.username)).emails).toEqual([]);
});

test('no one else sees it: not a member through the admin list, not anyone in a user object', async () => {
  await api(server, 'PATCH', `/admin/users/${bob.user.id}`, { email: 'bob@corp.test' }, owner.token);
  expect((await api(server, 'GET', '/admin/users', undefined, alice.token)).status).toBe(403);
  for (const path of [`/users/${bob.user.id}`, '/me']) {
    const res = await api(server, 'GET', path, undefined, path === '/me' ? bob.token : alice.token);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain('bob@corp.test');
  }
});

test('two accounts may not share an address', async () => {
  await api(server, 'PATCH', `/admin/users/${bob.user.id}`, { email: 'shared@corp.test' }, owner.token);
  const clash = await api<{ error: ErrorBody }>(server, 'PATCH', `/admin/users/${alice.user.id}`, { email: 'SHARED@corp.test' }, owner.token);
  expect([clash.status, clash.body.error.code]).toEqual([409, 'conflict']);
  expect((await listed(alice.user.username)).emails).toEqual([]);
});
