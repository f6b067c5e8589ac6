import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorCode, User, UserUpdatedEvent } from '@parley/protocol';
import { SocketClient, api, login, registerUser, startServer, type ApiResult, type TestServer } from '../testing/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  await registerUser(server, 'owner');
});
afterAll(async () => {
  await server.stop();
});

function expectError(res: ApiResult, status: number, code: ErrorCode): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { error: { code, message: expect.any(String) } } });
}

test("PATCH /me updates my display name and status, and my other device's socket receives user.updated", async () => {
  const laptop = await registerUser(server);
  const phone = await login(server, laptop.user.username);
  const phoneSocket = await SocketClient.connect(server, phone.token);

  const res = await api<User>(server, 'PATCH', '/me', { display_name: 'Ada Lovelace', status_text: 'in a meeting' }, laptop.token);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ id: laptop.user.id, display_name: 'Ada Lovelace', status_text: 'in a meeting' });

  const ev = await phoneSocket.waitFor<UserUpdatedEvent>((e) => e.type === 'user.updated');
  expect(ev.user).toMatchObject({ id: laptop.user.id, display_name: 'Ada Lovelace', status_text: 'in a meeting' });

  const me = await api<User>(server, 'GET', '/me', undefined, phone.token);
  expect(me.body).toMatchObject({ display_name: 'Ada Lovelace', status_text: 'in a meeting' });
  await phoneSocket.close();
});

test('setting status_text to null clears it, and leaving a field out keeps its value', async () => {
  const u = await registerUser(server);
  await api(server, 'PATCH', '/me', { display_name: 'Grace', status_text: 'coding' }, u.token);
  const cleared = await api<User>(server, 'PATCH', '/me', { status_text: null }, u.token);
  expect(cleared.status).toBe(200);
  expect(cleared.body).toMatchObject({ display_name: 'Grace', status_text: null });
});

test('an invalid profile update is refused with 400 invalid_request and changes nothing', async () => {
  const u = await registerUser(server);
  await api(server, 'PATCH', '/me', { display_name: 'Kept' }, u.token);
  expectError(await api(server, 'PATCH', '/me', { display_name: 'x'.repeat(65) }, u.token), 400, 'invalid_request');
  expectError(await api(server, 'PATCH', '/me', { display_name: 'New', role: 'owner' }, u.token), 400, 'invalid_request');
  expectError(await api(server, 'PATCH', '/me', { avatar_url: 'javascript:alert(1)' }, u.token), 400, 'invalid_request');
  const me = await api<User>(server, 'GET', '/me', undefined, u.token);
  expect(me.body).toMatchObject({ display_name: 'Kept', role: 'member', avatar_url: null });
});
