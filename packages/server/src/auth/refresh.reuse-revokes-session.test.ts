import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorCode, User } from '@parley/protocol';
import { SocketClient, api, login, registerUser, startServer, type ApiResult, type TestServer } from '../testing/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  await registerUser(server, 'owner');
});
afterAll(async () => {
  await server.stop();
});

interface AuthBody {
  user: User;
  access_token: string;
  refresh_token: string;
  session_id: string;
}

function expectError(res: ApiResult, status: number, code: ErrorCode): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
}

const refresh = (refresh_token: string) => api<AuthBody>(server, 'POST', '/auth/refresh', { refresh_token });
const me = (token: string) => api<User>(server, 'GET', '/me', undefined, token);

test('refreshing rotates the refresh token within the same session, and the new token keeps working', async () => {
  const u = await registerUser(server);
  const r1 = await refresh(u.refresh);
  expect(r1.status).toBe(200);
  expect(r1.body.session_id).toBe(u.sessionId);
  expect(r1.body.user.id).toBe(u.user.id);
  expect(r1.body.refresh_token).not.toBe(u.refresh);
  expect((await me(r1.body.access_token)).status).toBe(200);

  const r2 = await refresh(r1.body.refresh_token);
  expect(r2.status).toBe(200);
  expect(r2.body.refresh_token).not.toBe(r1.body.refresh_token);
  expect((await me(r2.body.access_token)).status).toBe(200);
});

test('presenting an already-used refresh token revokes the whole session: every token of it then fails with session_revoked', async () => {
  const u = await registerUser(server);
  const otherDevice = await login(server, u.user.username);
  const socket = await SocketClient.connect(server, u.token);

  const rotated = await refresh(u.refresh);
  expect(rotated.status).toBe(200);

  // The old refresh token shows up again (stolen copy, or a replay): theft signal.
  expectError(await refresh(u.refresh), 401, 'session_revoked');

  // Both the thief's and the victim's copies of the session are dead.
  expectError(await me(rotated.body.access_token), 401, 'session_revoked');
  expectError(await me(u.token), 401, 'session_revoked');
  expectError(await refresh(rotated.body.refresh_token), 401, 'session_revoked');

  // The session's live socket is cut off with the session-revoked close code.
  const closed = await socket.closed;
  expect(closed.code).toBe(4003);

  // The user's other devices are not affected.
  expect((await me(otherDevice.token)).status).toBe(200);
});

test('a refresh token that is malformed or forged is refused with 401 invalid_token and does not revoke the session', async () => {
  const u = await registerUser(server);
  expectError(await refresh('garbage'), 401, 'invalid_token');
  const [sid, gen] = u.refresh.split('.');
  expectError(await refresh(`${sid}.${gen}.${'A'.repeat(43)}`), 401, 'invalid_token');
  // A forged secret for the current generation is not a replay; the real owner keeps their session.
  expect((await me(u.token)).status).toBe(200);
  expect((await refresh(u.refresh)).status).toBe(200);
});

test('a session id alone (it is in every access token and the audit log) cannot revoke the session through the reuse alarm', async () => {
  const u = await registerUser(server);
  const rotated = await refresh(u.refresh);
  expect(rotated.status).toBe(200);
  const [sid] = u.refresh.split('.');
  // Older generations with made-up secrets, short or as long as real ones: not a replay, just wrong.
  for (const forged of [`${sid}.1.${'A'.repeat(43)}`, `${sid}.1.${'B'.repeat(86)}`, `${sid}.0.${'C'.repeat(60)}`]) {
    expectError(await refresh(forged), 401, 'invalid_token');
  }
  expect((await me(rotated.body.access_token)).status).toBe(200);
  expect((await refresh(rotated.body.refresh_token)).status).toBe(200);
});
