import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AdminChannelList, Conversation, User } from '@parley/protocol';
import { SocketClient, api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;
let owner: TestUser;
let admin: TestUser;
let alice: TestUser;
const tag = randomUUID().slice(0, 6);
beforeAll(async () => {
  server = await startServer();
  owner = await registerUser(server);
  admin = await registerUser(server);
  alice = await registerUser(server);
  expect((await api<User>(server, 'PATCH', `/admin/users/${admin.user.id}`, { role: 'admin' }, owner.token)).status).toBe(200);
});
afterAll(async () => {
  await server.stop();
});

const list = (who: TestUser, q: string) => api<AdminChannelList>(server, 'GET', `/admin/channels?${q}`, undefined, who.token);

test('an admin sees every channel, private ones too, with owners, member count and last activity, but no message', async () => {
  const secret = await createConversation(server, alice.token, { kind: 'channel', name: `secret-${tag}`, visibility: 'private', member_ids: [owner.user.id] });
  const open = await createConversation(server, alice.token, { kind: 'channel', name: `open-${tag}`, visibility: 'public', member_ids: [] });
  await createConversation(server, alice.token, { kind: 'group', name: `group-${tag}`, member_ids: [admin.user.id] });
  const socket = await SocketClient.connect(server, alice.token);
  await socket.request('message.send', { conv_id: secret.id, client_msg_id: randomUUID(), body: `the password is hunter2 ${tag}` });
  await socket.close();

  const res = await list(admin, `query=${tag}`);
  expect(res.status).toBe(200);
  // Channels only (the group is not one), by name.
  expect(res.body.channels.map((c) => c.name)).toEqual([`open-${tag}`, `secret-${tag}`]);
  const [pub, priv] = res.body.channels;
  expect(priv).toMatchObject({ id: secret.id, visibility: 'private', member_count: 2, owners: [{ id: alice.user.id, username: alice.user.username }], archived: false, can_archive: false });
  expect(priv!.last_activity_at).not.toBeNull();
  expect(pub).toMatchObject({ id: open.id, visibility: 'public', member_count: 1, can_archive: true });
  expect(JSON.stringify(res.body)).not.toContain('hunter2');
  // The owner is in the private one: they may archive it.
  expect((await list(owner, `query=secret-${tag}`)).body.channels[0]!.can_archive).toBe(true);

  // What the console lists, the admin still cannot read.
  expect((await api(server, 'GET', `/conversations/${secret.id}/messages`, undefined, admin.token)).status).toBeGreaterThanOrEqual(403);
});

test('archiving from the console is PATCH /conversations/{id}: the list shows it archived, and unarchived again', async () => {
  const ch = await createConversation(server, alice.token, { kind: 'channel', name: `arch-${tag}`, visibility: 'public', member_ids: [] });
  expect((await api<Conversation>(server, 'PATCH', `/conversations/${ch.id}`, { archived: true }, admin.token)).status).toBe(200);
  expect((await list(admin, `query=arch-${tag}`)).body.channels[0]).toMatchObject({ id: ch.id, archived: true });
  expect((await api<Conversation>(server, 'PATCH', `/conversations/${ch.id}`, { archived: false }, admin.token)).status).toBe(200);
  expect((await list(admin, `query=arch-${tag}`)).body.channels[0]).toMatchObject({ id: ch.id, archived: false });
});

test('search matches part of the name literally, and pages with next_offset', async () => {
  for (let i = 0; i < 5; i++) await createConversation(server, alice.token, { kind: 'channel', name: `page-${tag}-${i}`, visibility: 'public', member_ids: [] });
  const first = await list(admin, `query=PAGE-${tag}&limit=2`);
  expect(first.body.channels.map((c) => c.name)).toEqual([`page-${tag}-0`, `page-${tag}-1`]);
  expect(first.body.next_offset).toBe(2);
  const last = await list(admin, `query=page-${tag}&limit=2&offset=4`);
  expect(last.body.channels.map((c) => c.name)).toEqual([`page-${tag}-4`]);
  expect(last.body.next_offset).toBeNull();
  expect((await list(admin, 'query=%25%25%25')).body.channels).toEqual([]);
});
