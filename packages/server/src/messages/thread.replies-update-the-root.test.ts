import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import type { ErrorBody, Message, MessageCreatedEvent, ThreadPage } from '@parley/protocol';
import { api, createConversation, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

async function getMessage(u: TestUser, id: string): Promise<Message> {
  const res = await api<Message>(server, 'GET', `/messages/${id}`, undefined, u.token);
  expect(res.status).toBe(200);
  return res.body;
}

test('a reply joins the root’s thread and updates its reply_count and last_reply_at, live and at rest', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
  const a = await connect(alice);
  const b = await connect(bob);

  const root = await a.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'lunch?' });
  expect(root.message.thread_root_id).toBeNull();
  expect(root.message.reply_count).toBe(0);
  expect(root.message.last_reply_at).toBeNull();

  const r1 = await b.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'yes', reply_to: root.id });
  expect(r1.message.reply_to).toBe(root.id);
  expect(r1.message.thread_root_id).toBe(root.id);
  const live1 = await a.waitFor<MessageCreatedEvent>((e) => e.type === 'message.created' && e.message.id === r1.id);
  expect(live1.thread_root).toEqual({ id: root.id, reply_count: 1, last_reply_at: r1.created_at });

  // Replying to a reply stays in the same thread: thread_root_id is the root, reply_to the reply.
  const r2 = await a.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'where?', reply_to: r1.id });
  expect(r2.message.reply_to).toBe(r1.id);
  expect(r2.message.thread_root_id).toBe(root.id);
  const live2 = await b.waitFor<MessageCreatedEvent>((e) => e.type === 'message.created' && e.message.id === r2.id);
  expect(live2.thread_root).toEqual({ id: root.id, reply_count: 2, last_reply_at: r2.created_at });
  // A top-level message carries no thread summary.
  expect((await b.waitFor<MessageCreatedEvent>((e) => e.type === 'message.created' && e.message.id === root.id)).thread_root).toBeNull();

  const rootNow = await getMessage(bob, root.id);
  expect(rootNow.reply_count).toBe(2);
  expect(rootNow.last_reply_at).toBe(r2.created_at);
  expect((await getMessage(bob, r1.id)).reply_count).toBe(0);

  const thread = await api<{ root: Message; replies: Message[] }>(server, 'GET', `/messages/${root.id}/thread`, undefined, bob.token);
  expect(thread.status).toBe(200);
  expect(thread.body.root.id).toBe(root.id);
  expect(thread.body.root.reply_count).toBe(2);
  expect(thread.body.replies.map((m) => [m.id, m.body])).toEqual([
    [r1.id, 'yes'],
    [r2.id, 'where?'],
  ]);
  // Asking for the thread of a reply gives the whole thread.
  const viaReply = await api<{ root: Message; replies: Message[] }>(server, 'GET', `/messages/${r1.id}/thread`, undefined, alice.token);
  expect(viaReply.body.root.id).toBe(root.id);
  expect(viaReply.body.replies.map((m) => m.id)).toEqual([r1.id, r2.id]);

  // Replies are part of the conversation log and its history too.
  const hist = await a.request('history', { conv_id: group.id });
  expect(hist.messages.map((m) => m.id)).toEqual([root.id, r1.id, r2.id]);
});

test('a reply must point at a message in the same conversation that the sender can see', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const carol = await registerUser(server);
  const ours = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const theirs = await createConversation(server, carol.token, { kind: 'dm', user_id: bob.user.id });
  const elsewhere = await api<Message>(server, 'POST', `/conversations/${theirs.id}/messages`, { client_msg_id: randomUUID(), body: 'private' }, carol.token);

  const res = await api<{ error: ErrorBody }>(server, 'POST', `/conversations/${ours.id}/messages`, { client_msg_id: randomUUID(), body: 'x', reply_to: elsewhere.body.id }, alice.token);
  expect(res.status).toBe(404);
  expect(res.body.error.code).toBe('not_found');
  expect((await getMessage(carol, elsewhere.body.id)).reply_count).toBe(0);
});

// Group commit writes many replies to one root in one transaction: each must still count once.
test('replies sent at once by many members count once each: the root ends at their number and the events, in seq order, count 1..N', async () => {
  const users = await Promise.all(Array.from({ length: 8 }, () => registerUser(server)));
  const group = await createConversation(server, users[0]!.token, { kind: 'group', member_ids: users.slice(1).map((u) => u.user.id) });
  const sockets = await Promise.all(users.map((u) => connect(u)));
  const root = await sockets[0]!.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'thread' });
  const acks = await Promise.all(sockets.flatMap((s) => [0, 1].map(() => s.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'me too', reply_to: root.id }))));
  const replies = (await sockets[0]!.waitForCount((e) => e.type === 'message.created' && (e as MessageCreatedEvent).message.thread_root_id === root.id, acks.length)).map(
    (e) => e as MessageCreatedEvent,
  );
  expect(replies.map((e) => e.seq)).toEqual(acks.map((a) => a.seq).sort((x, y) => x - y));
  expect(replies.map((e) => e.thread_root!.reply_count)).toEqual(Array.from({ length: acks.length }, (_, i) => i + 1));
  const stored = await getMessage(users[0]!, root.id);
  expect(stored.reply_count).toBe(acks.length);
  expect(stored.last_reply_at).toBe(
    replies
      .map((e) => e.message.created_at)
      .sort()
      .at(-1),
  );
});

test('a long thread opens at its latest replies and pages back with before_seq until has_more is false', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
  const a = await connect(alice);
  const root = await a.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'a long thread' });
  const replies: number[] = [];
  for (let i = 0; i < 7; i++) replies.push((await a.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: `reply ${i}`, reply_to: root.id })).seq);

  const seen: number[][] = [];
  let before: number | undefined;
  for (;;) {
    const res = await api<ThreadPage>(server, 'GET', `/messages/${root.id}/thread?limit=3${before ? `&before_seq=${before}` : ''}`, undefined, bob.token);
    expect(res.status).toBe(200);
    expect(res.body.root.id).toBe(root.id);
    seen.push(res.body.replies.map((m) => m.seq));
    if (!res.body.has_more) break;
    before = res.body.replies[0]!.seq;
  }
  expect(seen).toEqual([replies.slice(4), replies.slice(1, 4), replies.slice(0, 1)]);
  // Without a limit, the page is the server's history page size: all seven here, nothing more.
  const all = await api<ThreadPage>(server, 'GET', `/messages/${root.id}/thread`, undefined, bob.token);
  expect(all.body.replies.map((m) => m.seq)).toEqual(replies);
  expect(all.body.has_more).toBe(false);
  const bad = await api<ErrorBody>(server, 'GET', `/messages/${root.id}/thread?limit=0`, undefined, bob.token);
  expect(bad.status).toBe(400);
});
