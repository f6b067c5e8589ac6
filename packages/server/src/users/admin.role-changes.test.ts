import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorCode, User } from '@parley/protocol';
import { SocketClient, api, registerUser, startServer, type ApiResult, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;
let owner: TestUser;
let admin: TestUser;
beforeAll(async () => {
  server = await startServer();
  owner = await registerUser(server, 'owner');
  admin = await registerUser(server, 'admin');
  const promoted = await setRole(owner, admin, 'admin');
  expect(promoted.status).toBe(200);
});
afterAll(async () => {
  await server.stop();
});

function expectError(res: ApiResult, status: number, code: ErrorCode): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
}

function setRole(actor: TestUser, target: TestUser, role: User['role']) {
  return api<User>(server, 'PATCH', `/admin/users/${target.user.id}`, { role }, actor.token);
}

async function roleOf(u: TestUser): Promise<User['role']> {
  const res = await api<User>(server, 'GET', '/me', undefined, u.token);
  expect(res.status).toBe(200);
  return res.body.role;
}

test('the owner can make a member a workspace admin, and the new role is what /me reports', async () => {
  const m = await registerUser(server);
  const res = await setRole(owner, m, 'admin');
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ id: m.user.id, role: 'admin' });
  expect(await roleOf(m)).toBe('admin');
});

test("a plain member cannot change anyone's workspace role, including their own (403 forbidden)", async () => {
  const m = await registerUser(server);
  const other = await registerUser(server);
  expectError(await setRole(m, other, 'admin'), 403, 'forbidden');
  expectError(await setRole(m, m, 'owner'), 403, 'forbidden');
  expectError(await setRole(m, owner, 'member'), 403, 'forbidden');
  expectError(await api(server, 'PATCH', `/admin/users/${other.user.id}`, { deactivated: true }, m.token), 403, 'forbidden');
  expect([await roleOf(m), await roleOf(other), await roleOf(owner)]).toEqual(['member', 'member', 'owner']);
});

test('a workspace admin can turn a member into a guest and back', async () => {
  const m = await registerUser(server);
  const toGuest = await setRole(admin, m, 'guest');
  expect(toGuest.status).toBe(200);
  expect(await roleOf(m)).toBe('guest');
  expect((await setRole(admin, m, 'member')).status).toBe(200);
  expect(await roleOf(m)).toBe('member');
});

test('a workspace admin cannot create owners or admins, nor demote an owner (403 forbidden)', async () => {
  const m = await registerUser(server);
  expectError(await setRole(admin, m, 'owner'), 403, 'forbidden');
  expectError(await setRole(admin, m, 'admin'), 403, 'forbidden');
  expectError(await setRole(admin, admin, 'owner'), 403, 'forbidden');
  expectError(await setRole(admin, owner, 'member'), 403, 'forbidden');
  expect([await roleOf(m), await roleOf(admin), await roleOf(owner)]).toEqual(['member', 'admin', 'owner']);
});

test('the last owner cannot be demoted or deactivated (409 conflict), but with a second owner one of them can step down', async () => {
  expectError(await setRole(owner, owner, 'admin'), 409, 'conflict');
  expectError(await api(server, 'PATCH', `/admin/users/${owner.user.id}`, { deactivated: true }, owner.token), 409, 'conflict');
  expect(await roleOf(owner)).toBe('owner');

  const coOwner = await registerUser(server);
  expect((await setRole(owner, coOwner, 'owner')).status).toBe(200);
  const stepDown = await setRole(coOwner, coOwner, 'admin');
  expect(stepDown.status).toBe(200);
  expect(await roleOf(coOwner)).toBe('admin');
  // Back to a single owner: that one is protected again.
  expectError(await setRole(coOwner, owner, 'member'), 403, 'forbidden');
  expectError(await setRole(owner, owner, 'member'), 409, 'conflict');
});

test('a role change applies at once to tokens already issued: a demoted admin loses admin powers without logging in again', async () => {
  const a = await registerUser(server);
  expect((await setRole(owner, a, 'admin')).status).toBe(200);
  expect((await api(server, 'POST', '/invites', {}, a.token)).status).toBe(201);
  expect((await setRole(owner, a, 'member')).status).toBe(200);
  expectError(await api(server, 'POST', '/invites', {}, a.token), 403, 'forbidden');
  expectError(await api(server, 'GET', '/admin/audit', undefined, a.token), 403, 'forbidden');
});

test('a deactivated user cannot log in, and their existing tokens and sockets are cut off', async () => {
  const u = await registerUser(server);
  const socket = await SocketClient.connect(server, u.token);
  const res = await api<User>(server, 'PATCH', `/admin/users/${u.user.id}`, { deactivated: true }, admin.token);
  expect(res.status).toBe(200);

  expect((await socket.closed).code).toBe(4003);
  const me = await api(server, 'GET', '/me', undefined, u.token);
  expect(me.status).toBe(401);
  expectError(await api(server, 'POST', '/auth/login', { username: u.user.username, password: 'correct horse battery' }), 401, 'invalid_credentials');
  expect((await api(server, 'POST', '/auth/refresh', { refresh_token: u.refresh })).status).toBe(401);

  // Reactivated, they can log in again.
  expect((await api(server, 'PATCH', `/admin/users/${u.user.id}`, { deactivated: false }, admin.token)).status).toBe(200);
  expect((await api(server, 'POST', '/auth/login', { username: u.user.username, password: 'correct horse battery' })).status).toBe(200);
});

test('changing the role of a user who does not exist is 404 not_found', async () => {
  expectError(await api(server, 'PATCH', '/admin/users/01ARZ3NDEKTSV4RRFFQ69G5FAV', { role: 'member' }, owner.token), 404, 'not_found');
});
