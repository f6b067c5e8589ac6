import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorCode, User } from '@parley/protocol';
import { api, login, registerUser, startServer, type ApiResult, type TestServer } from '../testing/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

function expectError(res: ApiResult, status: number, code: ErrorCode): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
}

test('the first account registered becomes the workspace owner and every later account a plain member', async () => {
  const first = await registerUser(server, 'founder');
  const second = await registerUser(server, 'second');
  const third = await registerUser(server, 'third');
  expect([first.user.role, second.user.role, third.user.role]).toEqual(['owner', 'member', 'member']);
  // The role is stored, not just reported at sign-up.
  const me = await api<User>(server, 'GET', '/me', undefined, second.token);
  expect(me.status).toBe(200);
  expect(me.body.role).toBe('member');
  const founderMe = await api<User>(server, 'GET', '/me', undefined, first.token);
  expect(founderMe.body.role).toBe('owner');
});

test('registering a username that is already taken is refused with 409 username_taken and leaves the original account intact', async () => {
  const original = await registerUser(server, 'taken.name');
  const res = await api(server, 'POST', '/auth/register', { username: 'taken.name', password: 'a different password', display_name: 'Impostor' });
  expectError(res, 409, 'username_taken');
  // The original owner still logs in with the original password and is still the same user.
  const again = await login(server, 'taken.name');
  expect(again.user.id).toBe(original.user.id);
  expect(again.user.display_name).toBe('taken.name');
  const impostor = await api(server, 'POST', '/auth/login', { username: 'taken.name', password: 'a different password' });
  expectError(impostor, 401, 'invalid_credentials');
});

test('a new account gets working tokens: the access token opens GET /me as that user', async () => {
  const u = await registerUser(server, 'fresh.user');
  expect(u.user.username).toBe('fresh.user');
  const me = await api<User>(server, 'GET', '/me', undefined, u.token);
  expect(me.status).toBe(200);
  expect(me.body.id).toBe(u.user.id);
});
