import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Conversation, User } from '@parley/protocol';
import { api, createConversation, registerUser, startServer, type TestServer } from '../testing/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

test('directory and channel search match substrings case-insensitively, and % or _ in a query are literal', async () => {
  const tag = `q${process.pid}`;
  const owner = await registerUser(server, `${tag}_owner`);
  await registerUser(server, `${tag}xowner`);
  await api(server, 'PATCH', '/me', { display_name: 'Ada LOVELACE' }, owner.token);
  const byName = await api<{ users: User[] }>(server, 'GET', `/users?query=${encodeURIComponent('lovelace')}`, undefined, owner.token);
  expect(byName.body.users.map((u) => u.username)).toEqual([`${tag}_owner`]);
  const literal = await api<{ users: User[] }>(server, 'GET', `/users?query=${encodeURIComponent(`${tag}_`)}`, undefined, owner.token);
  expect(literal.body.users.map((u) => u.username)).toEqual([`${tag}_owner`]);
  const percent = await api<{ users: User[] }>(server, 'GET', `/users?query=${encodeURIComponent('%')}`, undefined, owner.token);
  expect(percent.body.users).toEqual([]);

  await createConversation(server, owner.token, { kind: 'channel', name: `${tag} Release_Notes`, visibility: 'public' });
  await createConversation(server, owner.token, { kind: 'channel', name: `${tag} releaseXnotes`, visibility: 'public' });
  const found = await api<{ conversations: Conversation[] }>(server, 'GET', `/channels?query=${encodeURIComponent('RELEASE_N')}`, undefined, owner.token);
  expect(found.body.conversations.map((c) => c.name)).toEqual([`${tag} Release_Notes`]);
});
