import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Conversation, ConversationAddedEvent, MessageCreatedEvent, ServerEvent } from '@parley/protocol';
import { type SocketClient, api, createConversation, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

const createdWith = (id: string) => (e: ServerEvent) => e.type === 'message.created' && e.message.id === id;

/** Sends from `from`, expects `to` to receive it live with the ack's seq, and returns the event. */
async function roundTrip(from: SocketClient, to: SocketClient, convId: string, body: string): Promise<MessageCreatedEvent> {
  const ack = await from.request('message.send', { conv_id: convId, client_msg_id: randomUUID(), body });
  expect(ack.duplicate).toBe(false);
  expect(ack.conv_id).toBe(convId);
  const got = await to.waitFor<MessageCreatedEvent>(createdWith(ack.id));
  expect(got.conv_id).toBe(convId);
  expect(got.seq).toBe(ack.seq);
  expect(got.message.body).toBe(body);
  expect(got.message.sender_id).toBe(from.hello!.user.id);
  return got;
}

describe('two socket clients talk live', () => {
  test('in a DM, each side receives the other side’s messages with the acked seq, in order', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const b = await connect(bob);

    const m1 = await roundTrip(a, b, dm.id, 'hi bob');
    const m2 = await roundTrip(b, a, dm.id, 'hi alice');
    const m3 = await roundTrip(a, b, dm.id, 'how are you?');
    expect(m2.seq).toBe(m1.seq + 1);
    expect(m3.seq).toBe(m2.seq + 1);
    // The sender's own other devices see its messages too; here: each side saw all three, in seq order.
    const seen = (s: SocketClient) => s.events.filter((e): e is MessageCreatedEvent => e.type === 'message.created' && e.conv_id === dm.id).map((e) => e.seq);
    await b.waitFor(createdWith(m2.message.id));
    await a.waitFor(createdWith(m3.message.id));
    expect(seen(a)).toEqual([m1.seq, m2.seq, m3.seq]);
    expect(seen(b)).toEqual([m1.seq, m2.seq, m3.seq]);
  });

  test('in a group, every member receives each message, and a member connected while added learns of the group live', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const carol = await registerUser(server);
    const b = await connect(bob);
    const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id, carol.user.id], name: 'trio' });
    const added = await b.waitFor<ConversationAddedEvent>((e) => e.type === 'conversation.added' && e.conversation.id === group.id);
    expect(added.conversation.kind).toBe('group');
    expect(added.conversation.membership?.role).toBe('member');

    const a = await connect(alice);
    const c = await connect(carol);
    const fromAlice = await roundTrip(a, b, group.id, 'hello group');
    await c.waitFor(createdWith(fromAlice.message.id));
    const fromBob = await roundTrip(b, a, group.id, 'hello from bob');
    await c.waitFor(createdWith(fromBob.message.id));
    const fromCarol = await roundTrip(c, a, group.id, 'carol here');
    await b.waitFor(createdWith(fromCarol.message.id));
  });

  test('in a public channel, a user who joins with POST /join receives its messages live on the socket already open, and can post', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const channel = await createConversation(server, alice.token, { kind: 'channel', name: `general-${randomUUID().slice(0, 8)}`, visibility: 'public' });
    const a = await connect(alice);
    const b = await connect(bob);

    // Before joining, bob can see the channel but cannot post in it.
    const early = await b.request('message.send', { conv_id: channel.id, client_msg_id: randomUUID(), body: 'let me in' }).catch((e: unknown) => e);
    expect((early as { error?: { code: string } }).error?.code).toBe('not_member');

    const joined = await api<Conversation>(server, 'POST', `/conversations/${channel.id}/join`, undefined, bob.token);
    expect(joined.status).toBe(200);
    expect(joined.body.membership?.role).toBe('member');
    expect(joined.body.member_count).toBe(2);
    await b.waitFor((e) => e.type === 'conversation.added' && e.conversation.id === channel.id);
    await a.waitFor((e) => e.type === 'member.joined' && e.conv_id === channel.id && e.user.id === bob.user.id);

    await roundTrip(a, b, channel.id, 'welcome bob');
    await roundTrip(b, a, channel.id, 'thanks!');
  });
});
