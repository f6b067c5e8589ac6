import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Conversation, Message } from '@parley/protocol';
import { api, createConversation, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

async function listOf(u: TestUser): Promise<Conversation[]> {
  const res = await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, u.token);
  expect(res.status).toBe(200);
  return res.body.conversations;
}

async function convOf(u: TestUser, convId: string): Promise<Conversation> {
  const c = (await listOf(u)).find((x) => x.id === convId);
  if (!c) throw new Error(`conversation ${convId} is not in the list`);
  return c;
}

async function send(u: TestUser, convId: string, body: string): Promise<Message> {
  const res = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body }, u.token);
  expect(res.status).toBe(201);
  return res.body;
}

describe('conversation list: unread counts and last message', () => {
  test('unread_count counts messages from others after my read cursor, and read.mark clears it', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    expect((await convOf(bob, dm.id)).unread_count).toBe(0);

    await send(alice, dm.id, 'one');
    const m2 = await send(alice, dm.id, 'two');
    const m3 = await send(alice, dm.id, 'three');

    const forBob = await convOf(bob, dm.id);
    expect(forBob.unread_count).toBe(3);
    expect(forBob.last_message?.id).toBe(m3.id);
    expect(forBob.last_message?.body).toBe('three');
    // My own messages are never unread for me.
    expect((await convOf(alice, dm.id)).unread_count).toBe(0);

    const b = await connect(bob);
    await b.request('read.mark', { conv_id: dm.id, seq: m2.seq });
    expect((await convOf(bob, dm.id)).unread_count).toBe(1);

    await b.request('read.mark', { conv_id: dm.id, seq: m3.seq });
    const cleared = await convOf(bob, dm.id);
    expect(cleared.unread_count).toBe(0);
    expect(cleared.membership?.read_seq).toBe(m3.seq);
    expect(cleared.last_message?.id).toBe(m3.id);

    // Bob's reply does not make anything unread for bob, but is unread for alice.
    const reply = await send(bob, dm.id, 'got them');
    expect((await convOf(bob, dm.id)).unread_count).toBe(0);
    const forAlice = await convOf(alice, dm.id);
    expect(forAlice.unread_count).toBe(1);
    expect(forAlice.last_message?.id).toBe(reply.id);
  });

  test('POST /conversations/:id/read clears unread in a group, per member', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const carol = await registerUser(server);
    const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id, carol.user.id] });
    await send(alice, group.id, 'a1');
    await send(bob, group.id, 'b1');
    const last = await send(alice, group.id, 'a2');

    expect((await convOf(carol, group.id)).unread_count).toBe(3);
    expect((await convOf(bob, group.id)).unread_count).toBe(2);
    expect((await convOf(alice, group.id)).unread_count).toBe(1);

    const read = await api<{ conv_id: string; read_seq: number }>(server, 'POST', `/conversations/${group.id}/read`, { seq: last.seq }, carol.token);
    expect(read.status).toBe(200);
    expect(read.body.read_seq).toBe(last.seq);
    expect((await convOf(carol, group.id)).unread_count).toBe(0);
    expect((await convOf(bob, group.id)).unread_count).toBe(2);
  });

  test('the list carries every conversation’s last message, most recent activity first', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const carol = await registerUser(server);
    const withBob = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const withCarol = await createConversation(server, alice.token, { kind: 'dm', user_id: carol.user.id });
    const toBob = await send(alice, withBob.id, 'to bob');
    await new Promise((r) => setTimeout(r, 5)); // distinct created_at millisecond
    const fromCarol = await send(carol, withCarol.id, 'from carol');

    let list = await listOf(alice);
    expect(list.map((c) => c.id)).toEqual([withCarol.id, withBob.id]);
    expect(list[0]!.last_message?.id).toBe(fromCarol.id);
    expect(list[0]!.last_message?.body).toBe('from carol');
    expect(list[1]!.last_message?.id).toBe(toBob.id);

    await new Promise((r) => setTimeout(r, 5)); // distinct created_at millisecond
    const fromBob = await send(bob, withBob.id, 'from bob');
    list = await listOf(alice);
    expect(list.map((c) => c.id)).toEqual([withBob.id, withCarol.id]);
    expect(list[0]!.last_message?.id).toBe(fromBob.id);

    // The socket's conversation.list says the same.
    const a = await connect(alice);
    const viaSocket = await a.request('conversation.list', {});
    expect(viaSocket.conversations.map((c) => [c.id, c.last_message?.id, c.unread_count])).toEqual(list.map((c) => [c.id, c.last_message?.id, c.unread_count]));
  });
});
