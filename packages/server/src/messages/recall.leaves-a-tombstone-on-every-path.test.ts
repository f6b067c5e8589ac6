import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Conversation, ErrorBody, EventsPage, HistoryPage, LogEvent, Message, MessageRecalledEvent, ServerEvent } from '@parley/protocol';
import { errorCode, SocketClient, api, createConversation, registerUser, sleep, startServer, type TestServer, type TestUser } from '../testing/harness.js';

const servers: TestServer[] = [];
const sockets: SocketClient[] = [];

async function boot(overrides: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer(overrides);
  servers.push(s);
  await registerUser(s); // the workspace owner; the users of each test are plain members
  return s;
}

async function connect(server: TestServer, u: TestUser): Promise<SocketClient> {
  const s = await SocketClient.connect(server, u.token);
  sockets.push(s);
  return s;
}

afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await Promise.all(servers.map((s) => s.stop()));
});

function expectTombstone(m: Message | undefined | null, id: string): void {
  expect(m, `message ${id} missing`).toBeTruthy();
  expect(m!.id).toBe(id);
  expect(m!.body).toBe('');
  expect(m!.recalled).toBe(true);
  expect(m!.recalled_at).not.toBeNull();
  expect(m!.edited_at).toBeNull();
  expect(m!.mentions).toEqual([]);
  expect(m!.mentions_channel).toBe(false);
  expect(m!.reactions).toEqual([]);
}

/** Messages carried by log events, whatever their type. */
const messagesIn = (events: LogEvent[], id: string) => events.flatMap((e) => ('message' in e && e.message.id === id ? [e.message] : []));

describe('recall within the window', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await boot();
  });

  test('a recalled message is a tombstone (body "" and recalled) on every path, and its text leaks nowhere', async () => {
    const SECRET = `launch-code-${randomUUID()}`;
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id], name: 'ops' });
    const a = await connect(server, alice);
    const b = await connect(server, bob);

    // Bob posts the secret (mentioning alice), edits it, alice reacts and replies in its thread.
    const m = await b.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: `@${alice.user.username} ${SECRET} v1` });
    await b.request('message.edit', { message_id: m.id, body: `@${alice.user.username} ${SECRET} v2` });
    await a.request('reaction.add', { message_id: m.id, emoji: '👀' });
    const reply = await a.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'on it', reply_to: m.id });
    const secretReply = await b.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: `${SECRET} in a reply`, reply_to: m.id });
    const before = await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, alice.token);
    expect(before.body.conversations.find((c) => c.id === group.id)?.mention_count).toBe(1);

    // Bob recalls both of his messages.
    const recalled = await b.request('message.recall', { message_id: m.id });
    expectTombstone(recalled, m.id);
    expect(recalled.seq).toBe(m.seq);
    expect(recalled.reply_count).toBe(2); // the tombstone keeps its place in the thread
    const del = await api<Message>(server, 'DELETE', `/messages/${secretReply.id}`, undefined, bob.token);
    expect(del.status).toBe(200);
    expectTombstone(del.body, secretReply.id);

    // Live: the other member gets message.recalled carrying the tombstone.
    const live = await a.waitFor<MessageRecalledEvent>((e) => e.type === 'message.recalled' && e.message.id === m.id);
    expectTombstone(live.message, m.id);
    expect(live.actor_id).toBe(bob.user.id);
    await a.waitFor((e) => e.type === 'message.recalled' && e.message.id === secretReply.id);

    const seen: unknown[] = [];
    const keep = <T>(x: T): T => {
      seen.push(x);
      return x;
    };

    for (const [who, s] of [
      [alice, a],
      [bob, b],
    ] as const) {
      // REST history.
      const hist = keep(await api<HistoryPage>(server, 'GET', `/conversations/${group.id}/messages`, undefined, who.token));
      expectTombstone(
        hist.body.messages.find((x) => x.id === m.id),
        m.id,
      );
      expectTombstone(
        hist.body.messages.find((x) => x.id === secretReply.id),
        secretReply.id,
      );
      // GET /messages/:id and message.get.
      expectTombstone(keep(await api<Message>(server, 'GET', `/messages/${m.id}`, undefined, who.token)).body, m.id);
      expectTombstone(keep(await s.request('message.get', { message_id: m.id })), m.id);
      // Socket history.
      const sh = keep(await s.request('history', { conv_id: group.id, after_seq: 0 }));
      expectTombstone(
        sh.messages.find((x) => x.id === m.id),
        m.id,
      );
      // Resync replay: the old message.created (and the edit and reaction events) carry the tombstone.
      const replay = keep(await s.request('sync.events', { conv_id: group.id, after_seq: 0 }));
      const created = replay.events.find((e) => e.type === 'message.created' && e.message.id === m.id);
      expect(created, 'message.created of the recalled message is still in the log').toBeTruthy();
      const carried = messagesIn(replay.events, m.id);
      expect(carried.length).toBeGreaterThanOrEqual(4); // created, edited, reaction.changed, recalled
      for (const msg of carried) expectTombstone(msg, m.id);
      // Each loop asserts something only if its events are there: count them first, so an empty
      // replay cannot pass.
      const carriedReply = messagesIn(replay.events, secretReply.id);
      expect(carriedReply.length).toBeGreaterThanOrEqual(2); // created, recalled
      for (const msg of carriedReply) expectTombstone(msg, secretReply.id);
      const restReplay = keep(await api<EventsPage>(server, 'GET', `/conversations/${group.id}/events?after_seq=0`, undefined, who.token));
      const restCarried = messagesIn(restReplay.body.events, m.id);
      expect(restCarried.length).toBeGreaterThanOrEqual(4);
      for (const msg of restCarried) expectTombstone(msg, m.id);
      // Thread view, from the root and from a reply.
      const thread = keep(await api<{ root: Message; replies: Message[] }>(server, 'GET', `/messages/${m.id}/thread`, undefined, who.token));
      expectTombstone(thread.body.root, m.id);
      expect(thread.body.replies.map((x) => x.id)).toEqual([reply.id, secretReply.id]);
      expect(thread.body.replies[0]!.body).toBe('on it');
      expectTombstone(thread.body.replies[1], secretReply.id);
      const viaReply = keep(await api<{ root: Message; replies: Message[] }>(server, 'GET', `/messages/${reply.id}/thread`, undefined, who.token));
      expectTombstone(viaReply.body.root, m.id);
      // last_message in the conversation list (REST and socket), conversation.get and sync.
      const list = keep(await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, who.token));
      expectTombstone(list.body.conversations.find((c) => c.id === group.id)?.last_message, m.id);
      expectTombstone(keep(await s.request('conversation.list', {})).conversations.find((c) => c.id === group.id)?.last_message, m.id);
      expectTombstone(keep(await s.request('conversation.get', { conv_id: group.id })).last_message, m.id);
      expectTombstone(keep(await s.request('sync', { cursors: { [group.id]: 0 } })).conversations.find((c) => c.id === group.id)?.last_message, m.id);
    }
    // The edit history went with the text.
    const edits = keep(await api<{ edits: unknown[] }>(server, 'GET', `/messages/${m.id}/edits`, undefined, bob.token));
    expect(edits.body.edits).toEqual([]);
    // Every pushed event since the recall, and everything read above, is free of the text.
    const recallIndex = a.events.findIndex((e) => e.type === 'message.recalled' && e.message.id === m.id);
    seen.push(a.events.slice(recallIndex), b.events.slice(b.events.findIndex((e) => e.type === 'message.recalled')));
    expect(JSON.stringify(seen)).not.toContain(SECRET);

    // A recalled message no longer counts as a mention or unread.
    const after = await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, alice.token);
    expect(after.body.conversations.find((c) => c.id === group.id)?.mention_count).toBe(0);
  });

  test('a recalled message cannot be edited, reacted to or replied to, and recalling it again changes nothing', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(server, alice);
    const b = await connect(server, bob);
    const m = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'oops' });
    const first = await a.request('message.recall', { message_id: m.id });
    expect(await errorCode(a.request('message.edit', { message_id: m.id, body: 'fixed' }))).toBe('conflict');
    expect(await errorCode(b.request('reaction.add', { message_id: m.id, emoji: '😂' }))).toBe('conflict');
    expect(await errorCode(b.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 're', reply_to: m.id }))).toBe('invalid_request');
    const again = await a.request('message.recall', { message_id: m.id });
    expect(again).toEqual(first);
    await b.request('ping', {});
    expect(b.events.filter((e: ServerEvent) => e.type === 'message.recalled' && e.message.id === m.id)).toHaveLength(1);
  });
});

describe('recall after the window', () => {
  test('the sender is refused with 403 recall_window_closed, while the channel owner and a channel admin can still recall', async () => {
    const server = await boot({ recallWindowMs: 300 });
    const carol = await registerUser(server); // creates the channel: its owner
    const dave = await registerUser(server); // made channel admin
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const channel = await createConversation(server, carol.token, {
      kind: 'channel',
      name: `announce-${randomUUID().slice(0, 8)}`,
      visibility: 'private',
      member_ids: [dave.user.id, alice.user.id, bob.user.id],
    });
    const promote = await api(server, 'PATCH', `/conversations/${channel.id}/members/${dave.user.id}`, { role: 'admin' }, carol.token);
    expect(promote.status).toBe(200);
    const a = await connect(server, alice);
    const b = await connect(server, bob);
    expect(a.hello!.limits.recall_window_ms).toBe(300);
    const [m1, m2, m3] = [
      await a.request('message.send', { conv_id: channel.id, client_msg_id: randomUUID(), body: 'first' }),
      await a.request('message.send', { conv_id: channel.id, client_msg_id: randomUUID(), body: 'second' }),
      await a.request('message.send', { conv_id: channel.id, client_msg_id: randomUUID(), body: 'third' }),
    ];
    // Within the window, a plain member still cannot recall someone else's message.
    expect(await errorCode(b.request('message.recall', { message_id: m3.id }))).toBe('forbidden');

    await sleep(400);
    expect(await errorCode(a.request('message.recall', { message_id: m1.id }))).toBe('recall_window_closed');
    const rest = await api<{ error: ErrorBody }>(server, 'DELETE', `/messages/${m1.id}`, undefined, alice.token);
    expect(rest.status).toBe(403);
    expect(rest.body.error.code).toBe('recall_window_closed');
    expect((await api<Message>(server, 'GET', `/messages/${m1.id}`, undefined, bob.token)).body.body).toBe('first');

    const byOwner = await api<Message>(server, 'DELETE', `/messages/${m1.id}`, undefined, carol.token);
    expect(byOwner.status).toBe(200);
    expect(byOwner.body.recalled).toBe(true);
    expect(byOwner.body.body).toBe('');
    const ev = await b.waitFor<MessageRecalledEvent>((e) => e.type === 'message.recalled' && e.message.id === m1.id);
    expect(ev.actor_id).toBe(carol.user.id);

    const byAdmin = await api<Message>(server, 'DELETE', `/messages/${m2.id}`, undefined, dave.token);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.recalled).toBe(true);

    expect(await errorCode(b.request('message.recall', { message_id: m3.id }))).toBe('forbidden');
    const hist = await api<HistoryPage>(server, 'GET', `/conversations/${channel.id}/messages`, undefined, bob.token);
    expect(hist.body.messages.map((x) => [x.id, x.body, x.recalled])).toEqual([
      [m1.id, '', true],
      [m2.id, '', true],
      [m3.id, 'third', false],
    ]);
  });
});
