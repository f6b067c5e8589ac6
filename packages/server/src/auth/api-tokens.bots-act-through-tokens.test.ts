import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ApiToken, User } from '@parley/protocol';
import { SocketClient, api, createConversation, registerUser, startServer, type TestServer } from '../testing/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

test('a bot created by a member acts through its API token over REST and the socket, until the token is revoked', async () => {
  await registerUser(server); // the owner
  const alice = await registerUser(server);
  const bot = await api<User>(server, 'POST', '/bots', { username: `bot${Date.now()}` }, alice.token);
  expect(bot.status).toBe(201);
  expect(bot.body.is_bot).toBe(true);
  const tok = await api<ApiToken & { token: string }>(server, 'POST', '/tokens', { name: 'deploys', user_id: bot.body.id }, alice.token);
  expect(tok.status).toBe(201);
  expect(tok.body.token).toMatch(/^pat_/);

  const me = await api<User>(server, 'GET', '/me', undefined, tok.body.token);
  expect(me.body.id).toBe(bot.body.id);
  const channel = await createConversation(server, alice.token, { kind: 'channel', name: `deploys-${Date.now()}`, visibility: 'public', member_ids: [bot.body.id] });
  const sent = await api(server, 'POST', `/conversations/${channel.id}/messages`, { client_msg_id: 'bot-1', body: 'v1.4 is live' }, tok.body.token);
  expect(sent.status).toBe(201);

  const socket = await SocketClient.connect(server, tok.body.token);
  expect(socket.hello?.user.id).toBe(bot.body.id);

  const listed = await api<{ tokens: ApiToken[] }>(server, 'GET', '/tokens', undefined, alice.token);
  expect(listed.body.tokens.map((t) => t.id)).toContain(tok.body.id);
  expect(JSON.stringify(listed.body)).not.toContain(tok.body.token);

  expect((await api(server, 'DELETE', `/tokens/${tok.body.id}`, undefined, alice.token)).status).toBe(204);
  const closed = await socket.closed;
  expect(closed.code).toBe(4003);
  const after = await api<{ error: { code: string } }>(server, 'GET', '/me', undefined, tok.body.token);
  expect(after.status).toBe(401);
  expect(after.body.error.code).toBe('session_revoked');
});

test('a bot cannot log in with a password, and nobody gets a token for a bot they do not own', async () => {
  const alice = await registerUser(server);
  const mallory = await registerUser(server);
  const name = `bot${Date.now()}b`;
  const bot = await api<User>(server, 'POST', '/bots', { username: name }, alice.token);
  const login = await api<{ error: { code: string } }>(server, 'POST', '/auth/login', { username: name, password: '!bot' });
  expect(login.status).toBe(401);
  const stolen = await api<{ error: { code: string } }>(server, 'POST', '/tokens', { name: 'x', user_id: bot.body.id }, mallory.token);
  expect(stolen.status).toBe(404);
  const forged = await api<{ error: { code: string } }>(server, 'GET', '/me', undefined, 'pat_01M898RFZW1WFPFE7KQN140XVC_YzJjxOWDyg0iuiNcJ9VULFPqczIK9B71Kk79DjFwa0U');
  expect(forged.status).toBe(401);
  expect(forged.body.error.code).toBe('invalid_token');
});
