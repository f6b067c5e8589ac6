import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Conversation, ErrorBody, EventsPage, HistoryPage, Message, SendAck, ServerEvent } from '@parley/protocol';
import { errorCode, type SocketClient, api, createConversation, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

async function send(s: SocketClient, convId: string, body: string): Promise<SendAck> {
  return s.request('message.send', { conv_id: convId, client_msg_id: randomUUID(), body });
}

async function historyIds(u: TestUser, convId: string): Promise<string[]> {
  const res = await api<HistoryPage>(server, 'GET', `/conversations/${convId}/messages?limit=1000`, undefined, u.token);
  expect(res.status).toBe(200);
  return res.body.messages.map((m) => m.id);
}

async function getStatus(u: TestUser, messageId: string): Promise<number> {
  return (await api<Message | { error: ErrorBody }>(server, 'GET', `/messages/${messageId}`, undefined, u.token)).status;
}

const messageIdsIn = (events: ServerEvent[]) => events.flatMap((e) => (e.type === 'message.created' ? [e.message.id] : []));

describe('history visibility for members who arrive later', () => {
  test('in a since_join channel, a member who joins later starts at their join seq and cannot open earlier messages', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const channel = await createConversation(server, alice.token, { kind: 'channel', name: `fresh-${randomUUID().slice(0, 8)}`, visibility: 'public', history_visibility: 'since_join' });
    expect(channel.history_visibility).toBe('since_join');
    const a = await connect(alice);
    const early = [await send(a, channel.id, 'before bob 1'), await send(a, channel.id, 'before bob 2')];
    const earlyReply = await a.request('message.send', { conv_id: channel.id, client_msg_id: randomUUID(), body: 'thread before bob', reply_to: early[0]!.id });

    const joined = await api<Conversation>(server, 'POST', `/conversations/${channel.id}/join`, undefined, bob.token);
    expect(joined.status).toBe(200);
    const joinSeq = joined.body.membership!.visible_from_seq;
    expect(joinSeq).toBe(earlyReply.seq + 1);
    expect(joined.body.last_message).toBeNull();
    expect(joined.body.unread_count).toBe(0);

    expect(await historyIds(bob, channel.id)).toEqual([]);
    for (const m of [...early, earlyReply]) expect(await getStatus(bob, m.id)).toBe(404);
    expect((await api(server, 'GET', `/messages/${early[0]!.id}/thread`, undefined, bob.token)).status).toBe(404);
    const b = await connect(bob);
    expect(await errorCode(b.request('message.get', { message_id: early[1]!.id }))).toBe('not_found');
    expect((await b.request('history', { conv_id: channel.id, after_seq: 0 })).messages).toEqual([]);
    const replay = await b.request('sync.events', { conv_id: channel.id, after_seq: 0 });
    expect(replay.events[0]!.seq).toBe(joinSeq);
    expect(replay.events[0]!.type).toBe('member.joined');
    expect(messageIdsIn(replay.events)).toEqual([]);
    // The page a resync's answer carries is bounded the same way.
    const inline = await b.request('sync', { cursors: { [channel.id]: 0 }, events_limit: 100 });
    expect(inline.events?.map((p) => p.conv_id)).toEqual([channel.id]);
    expect(inline.events![0]!.events[0]!.seq).toBe(joinSeq);
    expect(messageIdsIn(inline.events![0]!.events)).toEqual([]);
    // Replying into a thread that started before the join is not possible either.
    expect(await errorCode(b.request('message.send', { conv_id: channel.id, client_msg_id: randomUUID(), body: 'x', reply_to: early[0]!.id }))).toBe('not_found');

    // From the join on, bob sees everything.
    const after = await send(a, channel.id, 'welcome bob');
    await b.waitFor((e) => e.type === 'message.created' && e.message.id === after.id);
    expect(await historyIds(bob, channel.id)).toEqual([after.id]);
    expect(await getStatus(bob, after.id)).toBe(200);
    const list = await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, bob.token);
    const mine = list.body.conversations.find((c) => c.id === channel.id)!;
    expect(mine.unread_count).toBe(1);
    expect(mine.last_message?.id).toBe(after.id);
    // The creator still sees the whole history.
    expect(await historyIds(alice, channel.id)).toEqual([early[0]!.id, early[1]!.id, earlyReply.id, after.id]);
  });

  test('in a private since_join channel, a member added by another member also starts at the seq they were added', async () => {
    const alice = await registerUser(server);
    const carol = await registerUser(server);
    const channel = await createConversation(server, alice.token, { kind: 'channel', name: `quiet-${randomUUID().slice(0, 8)}`, visibility: 'private', history_visibility: 'since_join' });
    const a = await connect(alice);
    const before = await send(a, channel.id, 'secret plans');
    const added = await api<Conversation>(server, 'POST', `/conversations/${channel.id}/members`, { user_id: carol.user.id }, alice.token);
    expect(added.status).toBe(200);
    expect(await historyIds(carol, channel.id)).toEqual([]);
    expect(await getStatus(carol, before.id)).toBe(404);
    const page = await api<EventsPage>(server, 'GET', `/conversations/${channel.id}/events?after_seq=0`, undefined, carol.token);
    expect(messageIdsIn(page.body.events)).toEqual([]);
  });

  test('in a full-history channel, a member who joins later reads everything sent before', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const channel = await createConversation(server, alice.token, { kind: 'channel', name: `open-${randomUUID().slice(0, 8)}`, visibility: 'public', history_visibility: 'full' });
    const a = await connect(alice);
    const early = [await send(a, channel.id, 'old 1'), await send(a, channel.id, 'old 2')];
    const joined = await api<Conversation>(server, 'POST', `/conversations/${channel.id}/join`, undefined, bob.token);
    expect(joined.body.membership!.visible_from_seq).toBe(1);
    expect(await historyIds(bob, channel.id)).toEqual(early.map((m) => m.id));
    expect(await getStatus(bob, early[0]!.id)).toBe(200);
    const b = await connect(bob);
    expect(messageIdsIn((await b.request('sync.events', { conv_id: channel.id, after_seq: 0 })).events)).toEqual(early.map((m) => m.id));
    expect(joined.body.last_message?.id).toBe(early[1]!.id);
  });

  /**
   * An edit or reaction on a message sent before a since_join member arrived is a new log event
   * (seq after their join): it must not carry the earlier message's text to them, live or on replay.
   */
  test('in a since_join channel, edits and reactions on pre-join messages do not reveal their text to the later member', async () => {
    const SECRET = `pre-join-${randomUUID()}`;
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const channel = await createConversation(server, alice.token, { kind: 'channel', name: `leak-${randomUUID().slice(0, 8)}`, visibility: 'private', history_visibility: 'since_join' });
    const a = await connect(alice);
    const early = await send(a, channel.id, `${SECRET} v1`);
    await api(server, 'POST', `/conversations/${channel.id}/members`, { user_id: bob.user.id }, alice.token);
    const b = await connect(bob);
    await a.request('message.edit', { message_id: early.id, body: `${SECRET} v2` });
    await a.request('reaction.add', { message_id: early.id, emoji: '👍' });
    await b.request('ping', {});
    expect(JSON.stringify(b.events)).not.toContain(SECRET);
    const replay = await b.request('sync.events', { conv_id: channel.id, after_seq: 0 });
    expect(JSON.stringify(replay)).not.toContain(SECRET);
    const inline = await b.request('sync', { cursors: { [channel.id]: 0 }, events_limit: 100 });
    expect(inline.events?.[0]?.events.length).toBeGreaterThan(0);
    expect(JSON.stringify(inline)).not.toContain(SECRET);
  });
});

describe('leaving', () => {
  test('a member who leaves keeps what was sent up to their leave, sees nothing after, and stops receiving live events', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const carol = await registerUser(server);
    const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id, carol.user.id] });
    const a = await connect(alice);
    const b = await connect(bob);
    const c = await connect(carol);
    const kept = [await send(a, group.id, 'before 1'), await send(c, group.id, 'before 2')];
    await b.waitFor((e) => e.type === 'message.created' && e.message.id === kept[1]!.id);

    const left = await api(server, 'POST', `/conversations/${group.id}/leave`, undefined, bob.token);
    expect(left.status).toBe(204);
    // Bob's socket is told he left; the others see it too.
    const leftEvent = await b.waitFor((e) => e.type === 'member.left' && e.user_id === bob.user.id);
    await a.waitFor((e) => e.type === 'member.left' && e.user_id === bob.user.id);
    const leaveSeq = (leftEvent as { seq: number }).seq;

    await a.request('typing.start', { conv_id: group.id });
    const later = [await send(a, group.id, 'after 1'), await send(c, group.id, 'after 2')];
    await a.request('reaction.add', { message_id: kept[0]!.id, emoji: '👋' });
    await c.waitFor((e) => e.type === 'reaction.changed' && e.message.id === kept[0]!.id);
    // Everything above was pushed before this round trip's answer: bob received none of it.
    await b.request('ping', {});
    const bobAfterLeave = b.events.slice(b.events.indexOf(leftEvent) + 1);
    expect(bobAfterLeave).toEqual([]);

    // History, message.get, sync.events: up to the leave, nothing after.
    expect(await historyIds(bob, group.id)).toEqual(kept.map((m) => m.id));
    expect((await b.request('history', { conv_id: group.id, after_seq: 0 })).messages.map((m) => m.id)).toEqual(kept.map((m) => m.id));
    expect(await getStatus(bob, kept[0]!.id)).toBe(200);
    for (const m of later) {
      expect(await getStatus(bob, m.id)).toBe(404);
      expect(await errorCode(b.request('message.get', { message_id: m.id }))).toBe('not_found');
    }
    const replay = await b.request('sync.events', { conv_id: group.id, after_seq: 0 });
    expect(replay.last_seq).toBe(leaveSeq);
    expect(replay.has_more).toBe(false);
    expect(Math.max(...replay.events.map((e) => e.seq))).toBe(leaveSeq);
    expect(messageIdsIn(replay.events)).toEqual(kept.map((m) => m.id));
    const restReplay = await api<EventsPage>(server, 'GET', `/conversations/${group.id}/events?after_seq=${leaveSeq}`, undefined, bob.token);
    expect(restReplay.body.events).toEqual([]);

    // The conversation as bob sees it stops at his leave; he can no longer post.
    const view = await api<Conversation>(server, 'GET', `/conversations/${group.id}`, undefined, bob.token);
    expect(view.body.last_seq).toBe(leaveSeq);
    expect(view.body.membership?.left_seq).toBe(leaveSeq);
    expect(view.body.last_message?.id).toBe(kept[1]!.id);
    expect(await errorCode(send(b, group.id, 'let me back'))).toBe('not_member');
    const mine = await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, bob.token);
    expect(mine.body.conversations.map((x) => x.id)).not.toContain(group.id);
    const withLeft = await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations?include_left=true', undefined, bob.token);
    expect(withLeft.body.conversations.find((x) => x.id === group.id)?.last_message?.id).toBe(kept[1]!.id);

    // A new socket of bob's does not subscribe to the group either.
    const b2 = await connect(bob);
    const more = await send(a, group.id, 'after 3');
    await c.waitFor((e) => e.type === 'message.created' && e.message.id === more.id);
    await b2.request('ping', {});
    expect(messageIdsIn(b2.events)).toEqual([]);
    expect((await b2.request('sync', { cursors: { [group.id]: leaveSeq } })).conversations).toEqual([]);
    // A resync from before the leave is told the group moved, and its answer carries no page
    // of it (events after a leave are paged, and bounded, by sync.events above).
    const inline = await b2.request('sync', { cursors: { [group.id]: 0 }, events_limit: 100 });
    expect(inline.conversations.map((x) => x.id)).toEqual([group.id]);
    expect(inline.events).toEqual([]);
    expect(JSON.stringify(inline)).not.toContain(later[0]!.id);
  });

  test('a member who leaves a public channel can still read up to their leave, and nothing after', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const channel = await createConversation(server, alice.token, { kind: 'channel', name: `town-${randomUUID().slice(0, 8)}`, visibility: 'public' });
    const a = await connect(alice);
    await api(server, 'POST', `/conversations/${channel.id}/join`, undefined, bob.token);
    const before = await send(a, channel.id, 'see you');
    expect((await api(server, 'POST', `/conversations/${channel.id}/leave`, undefined, bob.token)).status).toBe(204);
    const after = await send(a, channel.id, 'gone now');
    expect(await historyIds(bob, channel.id)).toEqual([before.id]);
    expect(await getStatus(bob, after.id)).toBe(404);
    const ev = await api<EventsPage>(server, 'GET', `/conversations/${channel.id}/events?after_seq=0`, undefined, bob.token);
    expect(messageIdsIn(ev.body.events)).toEqual([before.id]);
  });
});
