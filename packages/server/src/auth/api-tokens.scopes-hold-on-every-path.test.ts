/**
 * API token scopes (read, post, manage_webhooks) hold on every way in: each REST route, the
 * socket itself (it carries live events) and each socket request; and no token mints a token
 * with more than it has.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import { CloseCodes, type ApiToken, type TokenScope } from '@parley/protocol';
import { SocketClient, api, createConversation, errorCode, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
serverPerFile((s) => (server = s));

async function tokenFor(u: TestUser, scopes?: TokenScope[]): Promise<ApiToken & { token: string }> {
  const res = await api<ApiToken & { token: string }>(server, 'POST', '/tokens', { name: `t-${randomUUID().slice(0, 6)}`, ...(scopes ? { scopes } : {}) }, u.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}
const sendOver = (token: string, convId: string) => api(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body: 'hi' }, token);

test('a read-only token reads over REST and the socket, and cannot post by either', async () => {
  const alice = await registerUser(server);
  const conv = await createConversation(server, alice.token, { kind: 'channel', name: `sc-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: [] });
  const ro = await tokenFor(alice, ['read']);
  expect(ro.scopes).toEqual(['read']);

  expect((await api(server, 'GET', `/conversations/${conv.id}/messages`, undefined, ro.token)).status).toBe(200);
  expect((await api(server, 'POST', '/sync', { cursors: {} }, ro.token)).status).toBe(200);
  const refused = await sendOver(ro.token, conv.id);
  expect([refused.status, (refused.body as { error: { code: string; message: string } }).error]).toEqual([403, { code: 'forbidden', message: 'This API token lacks the "post" scope.' }]);
  expect((await api(server, 'PATCH', `/conversations/${conv.id}`, { topic: 'x' }, ro.token)).status).toBe(403);
  expect((await api(server, 'POST', `/conversations/${conv.id}/webhooks`, { name: 'x' }, ro.token)).status).toBe(403);

  const socket = await SocketClient.connect(server, ro.token);
  try {
    expect(await socket.request('history', { conv_id: conv.id })).toMatchObject({ messages: [] });
    expect(await errorCode(socket.request('message.send', { conv_id: conv.id, client_msg_id: randomUUID(), body: 'over the socket' }))).toBe('forbidden');
    expect(await errorCode(socket.request('typing.start', { conv_id: conv.id }))).toBe('forbidden');
  } finally {
    await socket.close();
  }
  // Nothing was posted by any path.
  expect((await api<{ messages: unknown[] }>(server, 'GET', `/conversations/${conv.id}/messages`, undefined, alice.token)).body.messages).toEqual([]);
});

test('a post-only token posts over REST, but reads nothing and opens no socket', async () => {
  const alice = await registerUser(server);
  const conv = await createConversation(server, alice.token, { kind: 'channel', name: `sc-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: [] });
  const wo = await tokenFor(alice, ['post']);
  expect((await sendOver(wo.token, conv.id)).status).toBe(201);
  expect((await api(server, 'GET', `/conversations/${conv.id}/messages`, undefined, wo.token)).status).toBe(403);
  expect((await api(server, 'GET', `/search?q=hi`, undefined, wo.token)).status).toBe(403);
  expect((await api(server, 'POST', '/sync', { cursors: {} }, wo.token)).status).toBe(403);
  const socket = new SocketClient(server.wsUrl);
  await socket.opened;
  expect(await errorCode(socket.request('auth', { token: wo.token }))).toBe('forbidden');
  expect((await socket.closed).code).toBe(CloseCodes.authFailed);
});

test('managing webhooks needs its scope; a token never mints a token with more than it has', async () => {
  const alice = await registerUser(server);
  const conv = await createConversation(server, alice.token, { kind: 'channel', name: `sc-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: [] });
  const poster = await tokenFor(alice, ['read', 'post']);
  expect((await api(server, 'POST', `/conversations/${conv.id}/webhooks`, { name: 'CI' }, poster.token)).status).toBe(403);
  expect((await api(server, 'GET', `/conversations/${conv.id}/outgoing-webhooks`, undefined, poster.token)).status).toBe(403);
  const manager = await tokenFor(alice, ['manage_webhooks']);
  expect((await api(server, 'POST', `/conversations/${conv.id}/webhooks`, { name: 'CI' }, manager.token)).status).toBe(201);

  // Minting: a subset is fine, more is refused, the default (everything) is refused too.
  expect((await api(server, 'POST', '/tokens', { name: 'narrower', scopes: ['read'] }, poster.token)).status).toBe(201);
  for (const body of [{ name: 'wider', scopes: ['read', 'manage_webhooks'] }, { name: 'default' }]) {
    const res = await api<{ error: { code: string } }>(server, 'POST', '/tokens', body, poster.token);
    expect(res.status, JSON.stringify(body)).toBe(403);
  }
  // A token made without scopes has them all, and the list says so.
  const full = await tokenFor(alice);
  const listed = await api<{ tokens: ApiToken[] }>(server, 'GET', '/tokens', undefined, alice.token);
  expect(listed.body.tokens.find((t) => t.id === full.id)?.scopes).toEqual(['read', 'post', 'manage_webhooks']);
  expect(listed.body.tokens.find((t) => t.id === poster.id)?.scopes).toEqual(['read', 'post']);
});
