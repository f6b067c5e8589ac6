/**
 * A webhook's bot is a member of its conversation in its own right: a token for it would let
 * the hook's creator keep reading a private conversation after being removed from it. Such bots
 * get no tokens and are not listed as "my bots". Ordinary bots can be removed by their owner
 * (or an admin): deactivated, tokens revoked, sockets closed.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import type { ApiToken, CreatedIncomingWebhook, User } from '@parley/protocol';
import { SocketClient, api, createConversation, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
let admin!: TestUser;
serverPerFile((s, owner) => ((server = s), (admin = owner)));

test('a webhook’s bot gets no token, so removing its creator from the conversation cuts them off', async () => {
  const alice = await registerUser(server);
  const chan = await createConversation(server, admin.token, { kind: 'channel', name: `hb-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: [alice.user.id] });
  expect((await api(server, 'PATCH', `/conversations/${chan.id}/members/${alice.user.id}`, { role: 'admin' }, admin.token)).status).toBe(200);
  const hook = (await api<CreatedIncomingWebhook>(server, 'POST', `/conversations/${chan.id}/webhooks`, { name: 'CI' }, alice.token)).body;

  const minted = await api<ApiToken & { token: string }>(server, 'POST', '/tokens', { name: 'keep reading', user_id: hook.bot_user_id }, alice.token);
  expect(minted.status).toBe(404);
  expect((await api<{ bots: User[] }>(server, 'GET', '/bots', undefined, alice.token)).body.bots.map((b) => b.id)).not.toContain(hook.bot_user_id);
  expect((await api(server, 'DELETE', `/bots/${hook.bot_user_id}`, undefined, alice.token)).status).toBe(404);
  // The hook itself still posts: its bot is managed through the hook.
  expect((await fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"still here"}' })).status).toBe(200);
});

test('a bot’s owner removes it: its tokens stop, its socket closes, it is no longer listed; others cannot', async () => {
  const [alice, mallory] = [await registerUser(server), await registerUser(server)];
  const bot = (await api<User>(server, 'POST', '/bots', { username: `rb${Date.now()}` }, alice.token)).body;
  const tok = (await api<ApiToken & { token: string }>(server, 'POST', '/tokens', { name: 'ci', user_id: bot.id }, alice.token)).body;
  expect((await api<{ bots: User[] }>(server, 'GET', '/bots', undefined, alice.token)).body.bots.map((b) => b.id)).toEqual([bot.id]);
  const socket = await SocketClient.connect(server, tok.token);
  expect((await api(server, 'DELETE', `/bots/${bot.id}`, undefined, mallory.token)).status).toBe(404);
  expect((await api(server, 'DELETE', `/bots/${bot.id}`, undefined, alice.token)).status).toBe(204);
  await socket.closed;
  expect((await api(server, 'GET', '/me', undefined, tok.token)).status).toBe(401);
  expect((await api<{ bots: User[] }>(server, 'GET', '/bots', undefined, alice.token)).body.bots).toEqual([]);
  expect((await api<{ tokens: ApiToken[] }>(server, 'GET', '/tokens', undefined, alice.token)).body.tokens.map((t) => t.id)).not.toContain(tok.id);
});
