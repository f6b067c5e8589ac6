/**
 * verify_action for every action that emits events: snapshot + pushed events, applied with the
 * SDK reducer, must equal a fresh REST snapshot, for the actor, for other members and, for joins,
 * for the joining user.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Conversation, Message, ServerEvent } from '@parley/protocol';
import { createState, loadConversation } from '@parley/sdk';
import { SocketClient, api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { comparable, fetchSnapshots, fetchState, pullEvents, verifyAction, type Observer } from '../testing/verify-action.js';

let server: TestServer;
/** The first user registered: the workspace owner. */
let boss: TestUser;
const sockets: SocketClient[] = [];

beforeAll(async () => {
  server = await startServer();
  boss = await registerUser(server, `boss${process.pid}`);
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await server.stop();
});

interface Person extends TestUser {
  name: string;
  /** This person's (first) device. */
  obs: Observer;
}

let n = 0;
async function person(name: string): Promise<Person> {
  const u = await registerUser(server, `${name}${process.pid}x${++n}`);
  const client = await SocketClient.connect(server, u.token);
  sockets.push(client);
  return { ...u, name, obs: { label: name, user: u, client } };
}

/** A second device of the same user (its own session). */
async function secondDevice(p: Person): Promise<Observer> {
  const client = await SocketClient.connect(server, p.token);
  sockets.push(client);
  return { label: `${p.name}'s second device`, user: p, client };
}

async function ok<T>(method: string, route: string, token: string, body?: unknown): Promise<T> {
  const res = await api<T>(server, method, route, body, token);
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

let cm = 0;
const send = (p: TestUser, convId: string, body: string, reply_to?: string) =>
  ok<Message>('POST', `/conversations/${convId}/messages`, p.token, { client_msg_id: `m${++cm}`, body, ...(reply_to ? { reply_to } : {}) });

/** alice (owner), bob, carol in a group with some history, everyone connected. */
async function group() {
  const [alice, bob, carol] = await Promise.all([person('alice'), person('bob'), person('carol')]);
  const g = await createConversation(server, alice.token, { kind: 'group', name: 'trio', member_ids: [bob.user.id, carol.user.id] });
  const m1 = await send(alice, g.id, 'hello all');
  const m2 = await send(bob, g.id, 'hi alice');
  return { alice, bob, carol, g, m1, m2 };
}

/** A public channel owned by alice with bob and carol in it, plus dave who is not a member. */
async function channel(history: 'full' | 'since_join' = 'full') {
  const [alice, bob, carol, dave] = await Promise.all([person('alice'), person('bob'), person('carol'), person('dave')]);
  const ch = await createConversation(server, alice.token, {
    kind: 'channel',
    name: `ch-${process.pid}-${++n}`,
    visibility: 'public',
    history_visibility: history,
    member_ids: [bob.user.id, carol.user.id],
  });
  const m1 = await send(alice, ch.id, 'welcome');
  const m2 = await send(bob, ch.id, 'thanks');
  return { alice, bob, carol, dave, ch, m1, m2 };
}

const types = (r: { events: { type: string }[] }) => r.events.map((e) => e.type);

describe('messages', () => {
  test('send', async () => {
    const { alice, bob, g } = await group();
    const [a, b] = await verifyAction(server, [alice.obs, bob.obs], () => send(alice, g.id, 'a new message'));
    expect(types(a!)).toEqual(['message.created']);
    expect(b!.state.conversations[g.id]!.unread_count).toBe(2);
  });

  test('send on the socket, in a channel', async () => {
    const { alice, bob, ch } = await channel();
    await verifyAction(server, [alice.obs, bob.obs], () => alice.obs.client.request('message.send', { conv_id: ch.id, client_msg_id: `s${++cm}`, body: 'via socket' }));
  });

  test('send a reply in a thread (root counters; replies are not unread)', async () => {
    const { alice, bob, carol, g, m1 } = await group();
    const r1 = await send(bob, g.id, 'first reply', m1.id);
    const [, b] = await verifyAction(server, [alice.obs, bob.obs, carol.obs], async () => {
      const r2 = await send(carol, g.id, 'reply to the reply', r1.id);
      expect(r2.thread_root_id).toBe(m1.id);
    });
    const root = b!.state.messages[g.id]!.find((m) => m.id === m1.id)!;
    expect(root.reply_count).toBe(2);
  });

  test('send with an @mention of the observer and @channel', async () => {
    const { alice, bob, carol, g } = await group();
    const [, b, c] = await verifyAction(server, [alice.obs, bob.obs, carol.obs], async () => {
      await send(alice, g.id, `hey @${bob.user.username}, look`);
      await send(alice, g.id, '@channel meeting now');
    });
    expect(b!.state.conversations[g.id]!.mention_count).toBe(2);
    expect(c!.state.conversations[g.id]!.mention_count).toBe(1);
  });

  test('@here: a mention for the member online when it is sent, in the reducer as on the server; none for the one offline', async () => {
    const { alice, bob, carol, g } = await group();
    await carol.obs.client.close();
    for (const deadline = Date.now() + 5_000; ;) {
      const p = await ok<{ presence: { status: string } }>('GET', `/users/${carol.user.id}`, alice.token);
      if (p.presence.status === 'offline') break;
      if (Date.now() > deadline) throw new Error('carol never went offline');
      await new Promise((r) => setTimeout(r, 20));
    }
    const before = (await ok<{ conversations: Conversation[] }>('GET', '/conversations', bob.token)).conversations.find((c) => c.id === g.id)!.mention_count;
    const [, b] = await verifyAction(server, [alice.obs, bob.obs], () => send(alice, g.id, '@here quick question'));
    expect(b!.state.conversations[g.id]!.mention_count).toBe(before + 1);
    const carolList = await ok<{ conversations: Conversation[] }>('GET', '/conversations', carol.token);
    expect(carolList.conversations.find((c) => c.id === g.id)!.mention_count).toBe(0);
  });

  test('edit (adding and removing a mention)', async () => {
    const { alice, bob, g } = await group();
    const m = await send(alice, g.id, 'plain');
    await verifyAction(server, [alice.obs, bob.obs], () => ok('PATCH', `/messages/${m.id}`, alice.token, { body: `now with @${bob.user.username}` }));
    await verifyAction(server, [alice.obs, bob.obs], () => ok('PATCH', `/messages/${m.id}`, alice.token, { body: 'mention gone' }));
  });

  test('recall: an unread mention, a thread root and a thread reply', async () => {
    const { alice, bob, carol, g, m1 } = await group();
    const mention = await send(alice, g.id, `@${bob.user.username} secret`);
    const reply = await send(carol, g.id, 'reply', m1.id);
    const [, b] = await verifyAction(server, [alice.obs, bob.obs, carol.obs], () => ok('DELETE', `/messages/${mention.id}`, alice.token));
    expect(b!.state.conversations[g.id]).toMatchObject({ mention_count: 0 });
    expect(b!.state.messages[g.id]!.find((m) => m.id === mention.id)).toMatchObject({ recalled: true, body: '' });
    await verifyAction(server, [alice.obs, bob.obs, carol.obs], () => ok('DELETE', `/messages/${reply.id}`, carol.token));
    await verifyAction(server, [alice.obs, bob.obs, carol.obs], () => ok('DELETE', `/messages/${m1.id}`, alice.token));
  });

  test('reaction add and remove', async () => {
    const { alice, bob, carol, g, m2 } = await group();
    const [a] = await verifyAction(server, [alice.obs, bob.obs], async () => {
      await ok('POST', `/messages/${m2.id}/reactions`, alice.token, { emoji: '👍' });
      await ok('POST', `/messages/${m2.id}/reactions`, carol.token, { emoji: '👍' });
      await ok('POST', `/messages/${m2.id}/reactions`, carol.token, { emoji: '🎉' });
    });
    expect(a!.state.messages[g.id]!.find((m) => m.id === m2.id)!.reactions).toHaveLength(2);
    await verifyAction(server, [alice.obs, bob.obs, carol.obs], () => ok('DELETE', `/messages/${m2.id}/reactions/${encodeURIComponent('👍')}`, alice.token));
  });
});

describe('read state', () => {
  test('mark read in a group: the reader’s other device and the other members follow', async () => {
    const { alice, bob, g } = await group();
    await send(bob, g.id, 'one more');
    const phone = await secondDevice(alice);
    const last = (await ok<Conversation>('GET', `/conversations/${g.id}`, alice.token)).last_seq;
    const [p, b] = await verifyAction(server, [alice.obs, phone, bob.obs], () => ok('POST', `/conversations/${g.id}/read`, alice.token, { seq: last }));
    expect(types(p!)).toContain('read');
    expect(p!.state.conversations[g.id]!.unread_count).toBe(0);
    expect(b!.state.members[g.id]![alice.user.id]!.read_seq).toBe(last);
  });

  test('mark read on the socket in a channel (receipts stay on the reader’s devices)', async () => {
    const { alice, bob, ch } = await channel();
    const phone = await secondDevice(bob);
    await send(alice, ch.id, 'unread for bob');
    const last = (await ok<Conversation>('GET', `/conversations/${ch.id}`, bob.token)).last_seq;
    const [, p] = await verifyAction(server, [bob.obs, phone, alice.obs], () => bob.obs.client.request('read.mark', { conv_id: ch.id, seq: last }));
    expect(p!.state.conversations[ch.id]!.membership!.read_seq).toBe(last);
  });
});

describe('conversations', () => {
  test('create a DM', async () => {
    const [alice, bob] = await Promise.all([person('alice'), person('bob')]);
    const [a, b] = await verifyAction(server, [alice.obs, bob.obs], () => createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id }));
    expect(types(a!)[0]).toBe('conversation.added');
    expect(b!.historyLoads).toHaveLength(1);
  });

  test('create a note-to-self DM', async () => {
    const alice = await person('alice');
    const phone = await secondDevice(alice);
    await verifyAction(server, [alice.obs, phone], () => createConversation(server, alice.token, { kind: 'dm', user_id: alice.user.id }));
  });

  test('create a group', async () => {
    const [alice, bob, carol] = await Promise.all([person('alice'), person('bob'), person('carol')]);
    await verifyAction(server, [alice.obs, bob.obs, carol.obs], () => createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id, carol.user.id] }));
  });

  test('create a channel with members', async () => {
    const [alice, bob, carol] = await Promise.all([person('alice'), person('bob'), person('carol')]);
    await verifyAction(server, [alice.obs, bob.obs, carol.obs], () =>
      createConversation(server, alice.token, { kind: 'channel', name: `new-${process.pid}-${++n}`, visibility: 'private', topic: 'hi', member_ids: [bob.user.id, carol.user.id] }),
    );
  });

  test('invite a member (full history)', async () => {
    const { alice, bob, dave, ch } = await channel();
    const [, , d] = await verifyAction(server, [alice.obs, bob.obs, dave.obs], () => ok('POST', `/conversations/${ch.id}/members`, alice.token, { user_id: dave.user.id }));
    expect(types(d!)).toEqual(['conversation.added', 'member.joined']);
    expect(d!.state.messages[ch.id]!.length).toBeGreaterThan(0);
  });

  test('invite a member to a group', async () => {
    const { alice, bob, g } = await group();
    const dave = await person('dave');
    await verifyAction(server, [alice.obs, bob.obs, dave.obs], () => ok('POST', `/conversations/${g.id}/members`, bob.token, { user_id: dave.user.id }));
  });

  test('join a public channel (since_join history)', async () => {
    const { alice, bob, dave, ch } = await channel('since_join');
    const [, , d] = await verifyAction(server, [alice.obs, bob.obs, dave.obs], () => ok('POST', `/conversations/${ch.id}/join`, dave.token));
    expect(d!.state.messages[ch.id]).toEqual([]);
  });

  test('join a public channel (full history)', async () => {
    const { alice, dave, ch } = await channel('full');
    await verifyAction(server, [alice.obs, dave.obs], () => ok('POST', `/conversations/${ch.id}/join`, dave.token));
  });

  test('leave', async () => {
    const { alice, bob, carol, g } = await group();
    await send(alice, g.id, 'unread for bob when he leaves');
    const [, b] = await verifyAction(server, [alice.obs, bob.obs, carol.obs], () => ok('POST', `/conversations/${g.id}/leave`, bob.token));
    expect(b!.state.conversations[g.id]!.membership!.left_seq).not.toBeNull();
  });

  test('leave, then rejoin a public channel', async () => {
    const { alice, bob, ch } = await channel();
    await ok('POST', `/conversations/${ch.id}/leave`, bob.token);
    await send(alice, ch.id, 'said while bob was away');
    const [, b] = await verifyAction(server, [alice.obs, bob.obs], () => ok('POST', `/conversations/${ch.id}/join`, bob.token));
    expect(b!.historyLoads).toEqual([ch.id]);
  });

  test('kick', async () => {
    const { alice, bob, carol, ch } = await channel();
    await verifyAction(server, [alice.obs, bob.obs, carol.obs], () => ok('DELETE', `/conversations/${ch.id}/members/${bob.user.id}`, alice.token));
  });

  test('change a member role', async () => {
    const { alice, bob, carol, ch } = await channel();
    const [, b] = await verifyAction(server, [alice.obs, bob.obs, carol.obs], () => ok('PATCH', `/conversations/${ch.id}/members/${bob.user.id}`, alice.token, { role: 'admin' }));
    expect(b!.state.conversations[ch.id]!.membership!.role).toBe('admin');
  });

  test('rename', async () => {
    const { alice, bob, carol, g } = await group();
    await verifyAction(server, [alice.obs, bob.obs, carol.obs], () => ok('PATCH', `/conversations/${g.id}`, alice.token, { name: 'renamed' }));
  });

  test('set the topic', async () => {
    const { alice, bob, ch } = await channel();
    await verifyAction(server, [alice.obs, bob.obs], () => ok('PATCH', `/conversations/${ch.id}`, bob.token, { topic: 'what we talk about' }));
  });

  test('archive and unarchive', async () => {
    const { alice, bob, ch } = await channel();
    await verifyAction(server, [alice.obs, bob.obs], () => ok('PATCH', `/conversations/${ch.id}`, alice.token, { archived: true }));
    await verifyAction(server, [alice.obs, bob.obs], () => ok('PATCH', `/conversations/${ch.id}`, alice.token, { archived: false, topic: 'back' }));
  });
});

describe('users', () => {
  test('update my profile: my other device and everyone who shares a conversation with me follow', async () => {
    const { alice, bob, carol } = await group();
    const phone = await secondDevice(alice);
    const [, p, b] = await verifyAction(server, [alice.obs, phone, bob.obs, carol.obs], () => ok('PATCH', '/me', alice.token, { display_name: 'Alice Liddell', status_text: 'away' }));
    expect(types(p!)).toContain('user.updated');
    expect(types(b!)).toContain('user.updated');
  });

  test('a workspace admin changes a user’s workspace role', async () => {
    const { alice, bob, carol } = await group();
    await verifyAction(server, [alice.obs, bob.obs, carol.obs], () => ok('PATCH', `/admin/users/${bob.user.id}`, boss.token, { role: 'guest' }));
  });
});

describe('concurrency and the helper itself', () => {
  test('a burst of concurrent sends and reactions from two users over REST and the socket', async () => {
    const { alice, bob, carol, g, m1 } = await group();
    await verifyAction(server, [alice.obs, bob.obs, carol.obs], async () => {
      const all: Promise<unknown>[] = [];
      for (let i = 0; i < 20; i++) {
        all.push(alice.obs.client.request('message.send', { conv_id: g.id, client_msg_id: `burst-a${i}`, body: `a${i}` }));
        all.push(send(bob, g.id, `b${i} @${carol.user.username}`, i % 3 === 0 ? m1.id : undefined));
      }
      all.push(ok('POST', `/messages/${m1.id}/reactions`, carol.token, { emoji: 'x' }));
      await Promise.all(all);
    });
  });

  test('verifyAction catches a client that missed events', async () => {
    const { alice, g } = await group();
    const stranger = await person('stranger');
    // alice's state, watched through a socket that gets none of alice's events.
    const blind: Observer = { label: 'alice (blind)', user: alice, client: stranger.obs.client };
    await expect(verifyAction(server, [blind], () => send(alice, g.id, 'unseen'))).rejects.toThrow(/state after events != fresh state/);
  });
});

/**
 * KNOWN BUGS, found by this suite and not fixed here (each needs a design decision, see the notes).
 * `test.fails` passes while the bug is there; when it is fixed, drop `.fails`.
 */
describe('what a member may not see', () => {
  // After leaving, REST keeps showing the conversation's *current* name, topic, archived flag,
  // member_count and member list, while no event reaches the member who left (ARCHITECTURE §2:
  // "a member who leaves keeps what they saw up to the seq they left and nothing after").
  test('after I leave, a rename is not visible to me', async () => {
    const { alice, bob, g } = await group();
    await ok('POST', `/conversations/${g.id}/leave`, bob.token);
    await verifyAction(server, [bob.obs], () => ok('PATCH', `/conversations/${g.id}`, alice.token, { name: 'after bob left' }));
  });

  test('after I leave, membership changes are not visible to me', async () => {
    const { alice, bob, g } = await group();
    const dave = await person('dave');
    await ok('POST', `/conversations/${g.id}/leave`, bob.token);
    await verifyAction(server, [bob.obs], () => ok('POST', `/conversations/${g.id}/members`, alice.token, { user_id: dave.user.id }));
  });

  // since_join channels: an edit, reaction or recall of a message from before a member joined is
  // pushed to that member with the message's content, and `GET /conversations/:id/events` replays
  // it too. The reducer drops such messages, so state comparisons pass; the content still leaked.
  test('since_join: no event or resync page carries a message from before I joined', async () => {
    const { alice, dave, ch, m1 } = await channel('since_join');
    await ok('POST', `/conversations/${ch.id}/join`, dave.token);
    await ok('PATCH', `/messages/${m1.id}`, alice.token, { body: 'edited: secret from before dave' });
    await ok('POST', `/messages/${m1.id}/reactions`, alice.token, { emoji: 'eyes' });
    // Dave still learns that the log moved (his cursor must not stall), but only as `hidden` events.
    await dave.obs.client.waitForCount((e) => e.type === 'hidden' && e.conv_id === ch.id, 2);
    const carries = (e: ServerEvent) => 'message' in e && e.message.id === m1.id;
    expect(dave.obs.client.events.filter(carries)).toEqual([]);
    const page = await ok<{ events: ServerEvent[] }>('GET', `/conversations/${ch.id}/events?after_seq=0`, dave.token);
    expect(page.events.filter(carries)).toEqual([]);
    expect(page.events.filter((e) => e.type === 'hidden')).toHaveLength(2);
    // Alice, who sees that history, gets the real events.
    await alice.obs.client.waitFor((e) => e.type === 'reaction.changed' && e.message.id === m1.id);
    expect(alice.obs.client.events.filter(carries).map((e) => e.type)).toEqual(expect.arrayContaining(['message.edited', 'reaction.changed']));
  });
});

describe('resync', () => {
  test('a client that was offline replays the log from its cursors and converges', async () => {
    const { alice, bob, carol, g, m1 } = await group();
    const before = await fetchState(server, bob);
    await send(alice, g.id, `@${bob.user.username} while you were out`);
    const r = await send(carol, g.id, 'thread', m1.id);
    await ok('PATCH', `/conversations/${g.id}`, alice.token, { topic: 'new topic' });
    await ok('POST', `/messages/${m1.id}/reactions`, carol.token, { emoji: 'ok' });
    await ok('DELETE', `/messages/${r.id}`, carol.token);
    const s = await pullEvents(server, bob.token, before, g.id);
    // Read cursors are not in the log: nobody read anything here, so they still match.
    expect(comparable(s)).toStrictEqual(comparable(await fetchState(server, bob)));
  });

  test('replaying the log from zero over an empty copy gives the same messages', async () => {
    const { alice, bob, g, m2 } = await group();
    await ok('PATCH', `/messages/${m2.id}`, bob.token, { body: 'edited' });
    await ok('DELETE', `/messages/${m2.id}`, bob.token);
    const [snap] = (await fetchSnapshots(server, alice.token)).filter((x) => x.conversation.id === g.id);
    const empty = loadConversation(createState(alice.user.id), { conversation: { ...snap!.conversation, last_seq: 0 }, messages: [], members: [] });
    const replayed = await pullEvents(server, alice.token, empty, g.id);
    expect(replayed.messages[g.id]).toStrictEqual(snap!.messages);
    expect(replayed.conversations[g.id]).toStrictEqual(snap!.conversation);
  });
});
