import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorCode, Session, User } from '@parley/protocol';
import { SocketClient, api, registerUser, startServer, type ApiResult, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  await registerUser(server, 'owner');
});
afterAll(async () => {
  await server.stop();
});

function expectError(res: ApiResult, status: number, code: ErrorCode): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
}

/** Logs in as `user` from another named device. */
async function loginOn(user: TestUser, device_name: string): Promise<TestUser> {
  const res = await api<{ user: User; access_token: string; refresh_token: string; session_id: string }>(server, 'POST', '/auth/login', {
    username: user.user.username,
    password: 'correct horse battery',
    device_name,
  });
  expect(res.status).toBe(200);
  return { user: res.body.user, token: res.body.access_token, refresh: res.body.refresh_token, sessionId: res.body.session_id };
}

const sessions = async (token: string) => {
  const res = await api<{ sessions: Session[] }>(server, 'GET', '/sessions', undefined, token);
  expect(res.status).toBe(200);
  return res.body.sessions;
};
const me = (token: string) => api<User>(server, 'GET', '/me', undefined, token);

test('GET /sessions lists each of my device sessions and marks only the one asking as current', async () => {
  const laptop = await registerUser(server);
  const phone = await loginOn(laptop, 'Phone');

  const fromLaptop = await sessions(laptop.token);
  expect(fromLaptop.map((s) => s.id).sort()).toEqual([laptop.sessionId, phone.sessionId].sort());
  expect(fromLaptop.find((s) => s.id === laptop.sessionId)?.current).toBe(true);
  expect(fromLaptop.find((s) => s.id === phone.sessionId)).toMatchObject({ current: false, device_name: 'Phone' });

  const fromPhone = await sessions(phone.token);
  expect(fromPhone.filter((s) => s.current).map((s) => s.id)).toEqual([phone.sessionId]);

  // Other users' sessions never show up, and no secret material is listed.
  const stranger = await registerUser(server);
  expect((await sessions(stranger.token)).map((s) => s.id)).toEqual([stranger.sessionId]);
  expect(JSON.stringify(fromLaptop)).not.toContain(laptop.refresh.split('.')[2]);
});

test("revoking another device's session closes that device's socket with 4003 and kills its tokens, while this device carries on", async () => {
  const laptop = await registerUser(server);
  const phone = await loginOn(laptop, 'Phone');
  const laptopSocket = await SocketClient.connect(server, laptop.token);
  const phoneSocket = await SocketClient.connect(server, phone.token);

  const del = await api(server, 'DELETE', `/sessions/${phone.sessionId}`, undefined, laptop.token);
  expect(del.status).toBe(204);

  const closed = await phoneSocket.closed;
  expect(closed.code).toBe(4003);
  expectError(await me(phone.token), 401, 'session_revoked');
  expectError(await api(server, 'POST', '/auth/refresh', { refresh_token: phone.refresh }), 401, 'session_revoked');

  // The revoking device is untouched.
  expect((await me(laptop.token)).status).toBe(200);
  await expect(laptopSocket.request('ping', {})).resolves.toHaveProperty('ts');
  expect((await sessions(laptop.token)).map((s) => s.id)).toEqual([laptop.sessionId]);
  await laptopSocket.close();
});

test("a user cannot revoke someone else's session: 404, and that session keeps working", async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  expectError(await api(server, 'DELETE', `/sessions/${bob.sessionId}`, undefined, alice.token), 404, 'not_found');
  expect((await me(bob.token)).status).toBe(200);
});

test('logging out revokes the current session only: its access and refresh tokens stop working, other devices stay signed in', async () => {
  const laptop = await registerUser(server);
  const phone = await loginOn(laptop, 'Phone');
  const laptopSocket = await SocketClient.connect(server, laptop.token);

  const out = await api(server, 'POST', '/auth/logout', undefined, laptop.token);
  expect(out.status).toBe(204);

  expectError(await me(laptop.token), 401, 'session_revoked');
  expectError(await api(server, 'POST', '/auth/refresh', { refresh_token: laptop.refresh }), 401, 'session_revoked');
  expect((await laptopSocket.closed).code).toBe(4003);

  expect((await me(phone.token)).status).toBe(200);
  expect((await sessions(phone.token)).map((s) => s.id)).toEqual([phone.sessionId]);
});
