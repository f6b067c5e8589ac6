/**
 * Sockets judge each request by the account as it is now. On the embedded database the rows that
 * judgement reads are remembered between changes (migration 011's epoch, bumped by triggers), so
 * this suite changes them the way no service does — plain SQL on the database, as an operator's
 * script or a future code path might — and expects the very next request on an already-open,
 * already-used socket to see it.
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { expect, test } from 'vitest';
import type { ApiToken } from '@parley/protocol';
import { SocketClient, api, errorCode, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
serverPerFile((s) => (server = s));

const exec = (q: ReturnType<typeof sql>) => q.execute(server.parley.storage.db);

async function tokenFor(owner: TestUser, userId?: string): Promise<string> {
  const res = await api<ApiToken & { token: string }>(server, 'POST', '/tokens', { name: 'script', ...(userId ? { user_id: userId } : {}) }, owner.token);
  expect(res.status).toBe(201);
  return res.body.token;
}

/** A socket that has already been judged (its account state read and remembered) a few times. */
async function usedSocket(token: string): Promise<SocketClient> {
  const s = await SocketClient.connect(server, token);
  for (let i = 0; i < 3; i++) await s.request('ping', {});
  return s;
}

async function refusedAndClosed(s: SocketClient, code: string): Promise<void> {
  expect(await errorCode(s.request('ping', {}))).toBe(code);
  await s.closed;
}

test('a session revoked by a plain UPDATE is refused on the next request of its open socket', async () => {
  const alice = await registerUser(server);
  const s = await usedSocket(alice.token);
  await exec(sql`UPDATE sessions SET revoked_at = ${Date.now()} WHERE user_id = ${alice.user.id}`);
  await refusedAndClosed(s, 'session_revoked');
});

test('a user deactivated by a plain UPDATE loses both their session socket and their API-token socket on the next request', async () => {
  const bob = await registerUser(server);
  const viaSession = await usedSocket(bob.token);
  const viaToken = await usedSocket(await tokenFor(bob));
  await exec(sql`UPDATE users SET deactivated_at = ${Date.now()} WHERE id = ${bob.user.id}`);
  await refusedAndClosed(viaSession, 'invalid_token');
  await refusedAndClosed(viaToken, 'invalid_token');
});

test('an API token deleted by a plain DELETE, and a bot whose owner was deactivated the same way, are refused at once', async () => {
  const carol = await registerUser(server);
  const viaToken = await usedSocket(await tokenFor(carol));
  await exec(sql`DELETE FROM api_tokens WHERE user_id = ${carol.user.id}`);
  await refusedAndClosed(viaToken, 'invalid_token');

  const dave = await registerUser(server);
  const bot = await api<{ id: string }>(server, 'POST', '/bots', { username: `bot${crypto.randomUUID().slice(0, 8)}`, display_name: 'Bot' }, dave.token);
  expect(bot.status).toBe(201);
  const botSocket = await usedSocket(await tokenFor(dave, bot.body.id));
  await exec(sql`UPDATE users SET deactivated_at = ${Date.now()} WHERE id = ${dave.user.id}`);
  await refusedAndClosed(botSocket, 'invalid_token');
});

test('a role lowered by a plain UPDATE holds from the next request: a member turned guest can no longer create a channel', async () => {
  const erin = await registerUser(server);
  const before = await api(server, 'POST', '/conversations', { kind: 'channel', name: `c-${crypto.randomUUID().slice(0, 8)}`, visibility: 'public' }, erin.token);
  expect(before.status).toBe(201);
  await exec(sql`UPDATE users SET role = 'guest' WHERE id = ${erin.user.id}`);
  const after = await api(server, 'POST', '/conversations', { kind: 'channel', name: `c-${crypto.randomUUID().slice(0, 8)}`, visibility: 'public' }, erin.token);
  expect(after.status).toBe(403);
});
