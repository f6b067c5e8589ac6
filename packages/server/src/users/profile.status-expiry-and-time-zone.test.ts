import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorCode, User, UserUpdatedEvent, UserWithPresence } from '@parley/protocol';
import { SocketClient, api, createConversation, registerUser, startServer, type ApiResult, type TestServer } from '../testing/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  await registerUser(server, 'owner');
});
afterAll(async () => {
  await server.stop();
});

function expectError(res: ApiResult, status: number, code: ErrorCode, field?: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { error: { code, message: expect.any(String), ...(field ? { field } : {}) } } });
}

test('a profile carries status emoji, expiry and time zone, always present and null when unset', async () => {
  const u = await registerUser(server);
  expect(u.user).toMatchObject({ status_emoji: null, status_expires_at: null, time_zone: null });
  const later = new Date(Date.now() + 3_600_000).toISOString();
  const res = await api<User>(server, 'PATCH', '/me', { status_text: 'lunch', status_emoji: '🍜', status_expires_at: later, time_zone: 'europe/paris' }, u.token);
  expect(res.status).toBe(200);
  // The zone comes back in Intl's own spelling, whatever case it was sent in.
  expect(res.body).toMatchObject({ status_text: 'lunch', status_emoji: '🍜', status_expires_at: later, time_zone: 'Europe/Paris' });
  const other = await registerUser(server);
  const seen = await api<UserWithPresence>(server, 'GET', `/users/${u.user.id}`, undefined, other.token);
  expect(seen.body).toMatchObject({ status_text: 'lunch', status_emoji: '🍜', status_expires_at: later, time_zone: 'Europe/Paris' });

  // A new status without an expiry stays; clearing the zone is allowed.
  const stays = await api<User>(server, 'PATCH', '/me', { status_text: 'focus', time_zone: null }, u.token);
  expect(stays.body).toMatchObject({ status_text: 'focus', status_emoji: '🍜', status_expires_at: null, time_zone: null });
});

test('a bad time zone, a past expiry or a bad emoji is refused with 400 invalid_request naming the field, and changes nothing', async () => {
  const u = await registerUser(server);
  await api(server, 'PATCH', '/me', { status_text: 'kept', time_zone: 'Asia/Tokyo' }, u.token);
  expectError(await api(server, 'PATCH', '/me', { time_zone: 'Mars/Olympus_Mons' }, u.token), 400, 'invalid_request', '/time_zone');
  expectError(
    await api(server, 'PATCH', '/me', { time_zone: 'Europe/Paris', status_text: 'x', status_expires_at: new Date(Date.now() - 1000).toISOString() }, u.token),
    400,
    'invalid_request',
    '/status_expires_at',
  );
  expectError(await api(server, 'PATCH', '/me', { status_expires_at: 'tomorrow' }, u.token), 400, 'invalid_request');
  expectError(await api(server, 'PATCH', '/me', { status_emoji: 'two words' }, u.token), 400, 'invalid_request');
  const me = await api<User>(server, 'GET', '/me', undefined, u.token);
  expect(me.body).toMatchObject({ status_text: 'kept', time_zone: 'Asia/Tokyo', status_expires_at: null });
});

test("an expiring status clears by itself: other members' sockets get user.updated with it cleared, and reads show it cleared", async () => {
  const ada = await registerUser(server);
  const bob = await registerUser(server);
  await createConversation(server, bob.token, { kind: 'dm', user_id: ada.user.id });
  const bobSocket = await SocketClient.connect(server, bob.token);
  const soon = new Date(Date.now() + 1500).toISOString();
  const set = await api<User>(server, 'PATCH', '/me', { status_text: 'in a call', status_emoji: '📞', status_expires_at: soon }, ada.token);
  expect(set.body).toMatchObject({ status_text: 'in a call', status_expires_at: soon });
  await bobSocket.waitFor<UserUpdatedEvent>((e) => e.type === 'user.updated' && e.user.id === ada.user.id && e.user.status_text === 'in a call');

  const cleared = await bobSocket.waitFor<UserUpdatedEvent>((e) => e.type === 'user.updated' && e.user.id === ada.user.id && e.user.status_text === null, 15_000);
  expect(cleared.user).toMatchObject({ status_text: null, status_emoji: null, status_expires_at: null });
  const seen = await api<UserWithPresence>(server, 'GET', `/users/${ada.user.id}`, undefined, bob.token);
  expect(seen.body).toMatchObject({ status_text: null, status_emoji: null, status_expires_at: null });
  await bobSocket.close();
}, 30_000);
