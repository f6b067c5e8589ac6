import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Conversation, Message } from '@parley/protocol';
import { SocketClient, api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
  await registerUser(server); // the workspace owner
});
afterAll(async () => {
  await server.stop();
});

async function send(u: TestUser, convId: string, body: string): Promise<Message> {
  const res = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body }, u.token);
  expect(res.status).toBe(201);
  return res.body;
}

async function counts(u: TestUser, convId: string): Promise<{ mention: number; unread: number }> {
  const res = await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, u.token);
  const c = res.body.conversations.find((x) => x.id === convId);
  if (!c) throw new Error('conversation missing from the list');
  return { mention: c.mention_count, unread: c.unread_count };
}

test('@username of a member counts as a mention for that member only, @channel for everyone but the sender, and code does not count', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const carol = await registerUser(server);
  const outsider = await registerUser(server);
  const channel = await createConversation(server, alice.token, {
    kind: 'channel',
    name: `team-${randomUUID().slice(0, 8)}`,
    visibility: 'private',
    member_ids: [bob.user.id, carol.user.id],
  });

  const m1 = await send(alice, channel.id, `hey @${bob.user.username}, can you look?`);
  expect(m1.mentions).toEqual([bob.user.id]);
  expect(m1.mentions_channel).toBe(false);
  expect((await counts(bob, channel.id)).mention).toBe(1);
  expect((await counts(carol, channel.id)).mention).toBe(0);

  const m2 = await send(alice, channel.id, '@channel the deploy starts now');
  expect(m2.mentions_channel).toBe(true);
  expect((await counts(bob, channel.id)).mention).toBe(2);
  expect((await counts(carol, channel.id)).mention).toBe(1);
  expect((await counts(alice, channel.id)).mention).toBe(0);

  // Mentions inside code spans and code blocks are text, not mentions.
  const inSpan = await send(alice, channel.id, `run \`notify @${carol.user.username}\` later`);
  const inBlock = await send(alice, channel.id, `\`\`\`\nping @${carol.user.username}\n@channel\n\`\`\``);
  expect(inSpan.mentions).toEqual([]);
  expect(inBlock.mentions).toEqual([]);
  expect(inBlock.mentions_channel).toBe(false);
  // Someone who is not a member is not mentioned, and an e-mail address is not a mention.
  const notMember = await send(alice, channel.id, `cc @${outsider.user.username} and mail ${carol.user.username}@example.com`);
  expect(notMember.mentions).toEqual([]);
  expect(await counts(carol, channel.id)).toEqual({ mention: 1, unread: 5 });
  expect((await counts(bob, channel.id)).mention).toBe(2);

  // Several members in one message; each counts once, even if named twice.
  const both = await send(bob, channel.id, `@${carol.user.username} @${alice.user.username} and again @${carol.user.username}`);
  expect(both.mentions).toEqual([alice.user.id, carol.user.id].sort());
  expect((await counts(carol, channel.id)).mention).toBe(2);
  expect((await counts(alice, channel.id)).mention).toBe(1);

  // Reading past a mention clears it.
  const c = await SocketClient.connect(server, carol.token);
  await c.request('read.mark', { conv_id: channel.id, seq: both.seq });
  expect(await counts(carol, channel.id)).toEqual({ mention: 0, unread: 0 });
  await c.close();
});

test('editing a message to add or remove a mention changes the mention count', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
  const m = await send(alice, group.id, 'no mention yet');
  expect((await counts(bob, group.id)).mention).toBe(0);

  const edited = await api<Message>(server, 'PATCH', `/messages/${m.id}`, { body: `now @${bob.user.username}` }, alice.token);
  expect(edited.status).toBe(200);
  expect(edited.body.mentions).toEqual([bob.user.id]);
  expect((await counts(bob, group.id)).mention).toBe(1);

  await api<Message>(server, 'PATCH', `/messages/${m.id}`, { body: 'never mind' }, alice.token);
  expect((await counts(bob, group.id)).mention).toBe(0);
});

test('a mention inside a thread reply counts for the mentioned member, while the reply does not add to the unread count', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const channel = await createConversation(server, alice.token, {
    kind: 'channel',
    name: `threads-${randomUUID().slice(0, 8)}`,
    visibility: 'private',
    member_ids: [bob.user.id],
  });
  const root = await send(bob, channel.id, 'a question for the thread');
  const sock = await SocketClient.connect(server, bob.token);
  await sock.request('read.mark', { conv_id: channel.id, seq: root.seq });
  expect(await counts(bob, channel.id)).toEqual({ mention: 0, unread: 0 });

  const res = await api<Message>(
    server,
    'POST',
    `/conversations/${channel.id}/messages`,
    { client_msg_id: randomUUID(), body: `@${bob.user.username} here is the answer`, reply_to: root.id },
    alice.token,
  );
  expect(res.status).toBe(201);
  expect(res.body.thread_root_id).toBe(root.id);
  expect(await counts(bob, channel.id)).toEqual({ mention: 1, unread: 0 });

  // Reading past the reply clears it.
  await sock.request('read.mark', { conv_id: channel.id, seq: res.body.seq });
  expect(await counts(bob, channel.id)).toEqual({ mention: 0, unread: 0 });
  await sock.close();
});

/** Waits until the server reports the user's presence as `status` (arrivals are written a turn later). */
async function presenceIs(viewer: TestUser, u: TestUser, status: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await api<{ presence: { status: string } }>(server, 'GET', `/users/${u.user.id}`, undefined, viewer.token);
    if (res.body.presence.status === status) return;
    if (Date.now() > deadline) throw new Error(`${u.user.username} never became ${status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('@here counts as a mention for the members online when it is sent: not for offline or away members, not for those who come online later', async () => {
  const alice = await registerUser(server);
  const online = await registerUser(server);
  const away = await registerUser(server);
  const offline = await registerUser(server);
  const channel = await createConversation(server, alice.token, {
    kind: 'channel',
    name: `here-${randomUUID().slice(0, 8)}`,
    visibility: 'private',
    member_ids: [online.user.id, away.user.id, offline.user.id],
  });
  const onlineSock = await SocketClient.connect(server, online.token);
  const awaySock = await SocketClient.connect(server, away.token);
  await presenceIs(alice, online, 'online');
  await awaySock.request('presence.set', { status: 'away' });
  await presenceIs(alice, away, 'away');

  // Stored as a mention of each member online (the message says whom it reached), not as @channel.
  const m = await send(alice, channel.id, '@here standup in five');
  expect(m.mentions_channel).toBe(false);
  expect(m.mentions).toEqual([online.user.id]);
  expect((await counts(online, channel.id)).mention).toBe(1);
  expect((await counts(away, channel.id)).mention).toBe(0);
  expect((await counts(offline, channel.id)).mention).toBe(0);
  expect((await counts(alice, channel.id)).mention).toBe(0);

  // Coming online later does not make an earlier @here a mention; history says the same.
  const offlineSock = await SocketClient.connect(server, offline.token);
  await presenceIs(alice, offline, 'online');
  expect((await counts(offline, channel.id)).mention).toBe(0);
  const history = await api<{ messages: Message[] }>(server, 'GET', `/conversations/${channel.id}/messages`, undefined, offline.token);
  expect(history.body.messages.find((x) => x.id === m.id)?.mentions).toEqual([online.user.id]);

  // @channel still reaches every member, online or not.
  await offlineSock.close();
  await presenceIs(alice, offline, 'offline');
  const all = await send(alice, channel.id, '@channel release is out');
  expect(all.mentions_channel).toBe(true);
  expect((await counts(offline, channel.id)).mention).toBe(1);
  expect((await counts(away, channel.id)).mention).toBe(1);
  await onlineSock.close();
  await awaySock.close();
});

test('an edit keeps whom @here reached, adds those online when it adds @here, and removing @here takes it back', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const carol = await registerUser(server);
  const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id, carol.user.id] });
  const edit = async (id: string, body: string) => {
    const res = await api<Message>(server, 'PATCH', `/messages/${id}`, { body }, alice.token);
    expect(res.status).toBe(200);
    return res.body;
  };

  const m = await send(alice, group.id, 'nothing yet');
  const bobSock = await SocketClient.connect(server, bob.token);
  await presenceIs(alice, bob, 'online');
  expect((await edit(m.id, '@here now')).mentions).toEqual([bob.user.id]);

  // Bob goes offline and Carol comes online: an edit that keeps @here keeps it for Bob only.
  await bobSock.close();
  await presenceIs(alice, bob, 'offline');
  const carolSock = await SocketClient.connect(server, carol.token);
  await presenceIs(alice, carol, 'online');
  expect((await edit(m.id, '@here now, reworded')).mentions).toEqual([bob.user.id]);
  expect((await counts(bob, group.id)).mention).toBe(1);
  expect((await counts(carol, group.id)).mention).toBe(0);

  expect((await edit(m.id, 'never mind')).mentions).toEqual([]);
  expect((await counts(bob, group.id)).mention).toBe(0);
  await carolSock.close();
});
