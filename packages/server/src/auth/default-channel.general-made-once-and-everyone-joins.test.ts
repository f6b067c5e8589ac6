import { afterEach, expect, test } from 'vitest';
import type { Conversation } from '@parley/protocol';
import { api, onPostgres, registerUser, startServer, testDatabase, type TestServer, type TestUser } from '../testing/harness.js';

const started: TestServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});
const start = async (...args: Parameters<typeof startServer>) => {
  const s = await startServer(...args);
  started.push(s);
  return s;
};

const mine = async (server: TestServer, user: TestUser) => (await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, user.token)).body.conversations;

test('the first account makes #general as its owner, and everyone who signs up after joins it', async () => {
  const server = await start({ defaultChannel: 'general' });
  const owner = await registerUser(server, 'first');
  const [general] = await mine(server, owner);
  expect(general).toMatchObject({ kind: 'channel', name: 'general', visibility: 'public', membership: { role: 'owner' } });

  const bob = await registerUser(server, 'bob');
  expect((await mine(server, bob)).map((c) => c.id)).toEqual([general!.id]);
  const members = await api<{ members: { user: { username: string } }[] }>(server, 'GET', `/conversations/${general!.id}/members`, undefined, bob.token);
  expect(members.body.members.map((m) => m.user.username).sort()).toEqual(['bob', 'first']);
});

test('an invited sign-up joins #general too', async () => {
  const server = await start({ defaultChannel: 'lobby', registration: 'invite' });
  const owner = await registerUser(server, 'first');
  const inv = await api<{ code: string }>(server, 'POST', '/invites', {}, owner.token);
  const res = await api<{ access_token: string }>(server, 'POST', '/auth/register', { username: 'invited', password: 'correct horse battery', invite_code: inv.body.code });
  expect(res.status).toBe(201);
  const convs = (await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, res.body.access_token)).body.conversations;
  expect(convs.map((c) => c.name)).toEqual(['lobby']);
});

test('PARLEY_DEFAULT_CHANNEL=none: a new workspace starts with no channel', async () => {
  const server = await start({ defaultChannel: null });
  const owner = await registerUser(server, 'first');
  expect(await mine(server, owner)).toEqual([]);
});

test('a workspace that had people before gets no #general when it is upgraded; it is made only with the first account', async () => {
  const before = await start({ defaultChannel: null });
  await registerUser(before, 'first');
  await before.stop();
  started.splice(started.indexOf(before), 1);
  const after = await start({ defaultChannel: 'general' }, before.dataDir);
  const carol = await registerUser(after, 'carol');
  expect(await mine(after, carol)).toEqual([]);
});

test('first sign-ups racing on two nodes of one database make one #general, and every one of them is in it', async () => {
  // On PostgreSQL two nodes share one schema; on SQLite one node takes all the sign-ups at once.
  const first = await start({ defaultChannel: 'general' });
  const db = testDatabase(first.dataDir);
  const nodes = onPostgres() && db ? [first, await start({ defaultChannel: 'general', ...db })] : [first];
  const names = Array.from({ length: 8 }, (_, i) => `racer${i}`);
  const users = await Promise.all(names.map((n, i) => registerUser(nodes[i % nodes.length]!, n)));

  const seen = await Promise.all(users.map((u, i) => mine(nodes[i % nodes.length]!, u)));
  const ids = new Set(seen.flat().map((c) => c.id));
  expect(ids.size).toBe(1);
  for (const convs of seen) expect(convs.map((c) => c.name)).toEqual(['general']);
  const browse = await api<{ conversations: Conversation[] }>(first, 'GET', '/channels', undefined, users[0]!.token);
  expect(browse.body.conversations.filter((c) => c.name === 'general')).toHaveLength(1);
  expect(seen[0]![0]!.member_count).toBe(names.length);
});
