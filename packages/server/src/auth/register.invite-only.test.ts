import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorCode, User } from '@parley/protocol';
import { api, registerUser, startServer, type ApiResult, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;
let owner: TestUser;
beforeAll(async () => {
  server = await startServer({ registration: 'invite' });
  // The very first account needs no invite: someone has to own the workspace.
  owner = await registerUser(server, 'owner');
});
afterAll(async () => {
  await server.stop();
});

function expectError(res: ApiResult, status: number, code: ErrorCode): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
}

const signUp = (username: string, invite_code?: string) =>
  api<{ user: User }>(server, 'POST', '/auth/register', { username, password: 'correct horse battery', ...(invite_code === undefined ? {} : { invite_code }) });

test('in invite-only mode the first account still becomes the owner without an invite', () => {
  expect(owner.user.role).toBe('owner');
});

test('in invite-only mode signing up without an invite code is refused with 403 registration_closed', async () => {
  expectError(await signUp('no.invite'), 403, 'registration_closed');
});

test('in invite-only mode signing up with a made-up invite code is refused with 403 registration_closed', async () => {
  expectError(await signUp('bad.invite', 'not-a-real-code-at-all'), 403, 'registration_closed');
  expectError(await signUp('bad.invite', ''), 403, 'registration_closed');
});

test('an invite code created by an admin lets exactly one person sign up', async () => {
  const inv = await api<{ code: string; expires_at: string }>(server, 'POST', '/invites', {}, owner.token);
  expect(inv.status).toBe(201);
  expect(typeof inv.body.code).toBe('string');
  expect(Date.parse(inv.body.expires_at)).toBeGreaterThan(Date.now());

  const first = await signUp('invited.one', inv.body.code);
  expect(first.status).toBe(201);
  expect(first.body.user.role).toBe('member');

  // Single use: the same code does not admit a second person.
  expectError(await signUp('invited.two', inv.body.code), 403, 'registration_closed');
  // And the refused attempt did not create the account.
  const login = await api(server, 'POST', '/auth/login', { username: 'invited.two', password: 'correct horse battery' });
  expectError(login, 401, 'invalid_credentials');
});

test('a refused sign-up does not burn the invite code: the next valid attempt with it succeeds', async () => {
  const inv = await api<{ code: string }>(server, 'POST', '/invites', {}, owner.token);
  // A sign-up with this code that fails validation for another reason (username taken) must not consume it.
  expectError(await signUp('owner', inv.body.code), 409, 'username_taken');
  const ok = await signUp('invited.three', inv.body.code);
  expect(ok.status).toBe(201);
});

test('plain members cannot create invite codes (403 forbidden)', async () => {
  const inv = await api<{ code: string }>(server, 'POST', '/invites', {}, owner.token);
  const member = await signUp('invited.member', inv.body.code);
  expect(member.status).toBe(201);
  const token = (member.body as unknown as { access_token: string }).access_token;
  expectError(await api(server, 'POST', '/invites', {}, token), 403, 'forbidden');
  expectError(await api(server, 'POST', '/invites', {}), 401, 'unauthenticated');
});
