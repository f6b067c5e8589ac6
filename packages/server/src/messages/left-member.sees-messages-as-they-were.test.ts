import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import type { Conversation, EventsPage, HistoryPage, Message, MessageCreatedEvent } from '@parley/protocol';
import { api, createConversation, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
serverPerFile((s) => (server = s));

async function ok<T>(method: string, route: string, u: TestUser, body?: unknown): Promise<T> {
  const res = await api<T>(server, method, route, body, u.token);
  expect(res.status, `${method} ${route}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}
const send = (u: TestUser, convId: string, body: string, replyTo?: string) =>
  ok<Message>('POST', `/conversations/${convId}/messages`, u, { client_msg_id: randomUUID(), body, ...(replyTo ? { reply_to: replyTo } : {}) });

// A member who left a group keeps reading its history up to their leaving, as it was then: an
// edit, a reaction or a thread reply made afterwards could carry anything written once they were gone.
test('after I leave, later edits, reactions and thread replies do not reach me through history, one message, threads, resync or the list', async () => {
  const [alice, bob, carol] = [await registerUser(server), await registerUser(server), await registerUser(server)];
  const g = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id, carol.user.id] });
  const m1 = await send(alice, g.id, 'original');
  const editedBefore = await ok<Message>('PATCH', `/messages/${m1.id}`, alice, { body: 'first edit' });
  await ok('POST', `/messages/${m1.id}/reactions`, carol, { emoji: 'thumbsup' });
  const root = await send(alice, g.id, 'lunch?');
  const reply = await send(bob, g.id, 'yes', root.id);

  await ok('POST', `/conversations/${g.id}/leave`, bob);
  await new Promise((r) => setTimeout(r, 5));
  await ok('PATCH', `/messages/${m1.id}`, alice, { body: 'secret written after bob left' });
  await ok('POST', `/messages/${m1.id}/reactions`, carol, { emoji: 'eyes' });
  await send(alice, g.id, 'also secret, in the thread', root.id);
  await send(carol, g.id, 'me too', root.id);

  // Bob, who left: everything as it was when he left.
  const history = await ok<HistoryPage>('GET', `/conversations/${g.id}/messages`, bob);
  const hm1 = history.messages.find((m) => m.id === m1.id)!;
  expect(hm1.body).toBe('first edit');
  expect(hm1.edited_at).toBe(editedBefore.edited_at);
  expect(hm1.reactions.map((r) => r.emoji)).toEqual(['thumbsup']);
  const hroot = history.messages.find((m) => m.id === root.id)!;
  expect(hroot.reply_count).toBe(1);
  expect(hroot.last_reply_at).toBe(reply.created_at);

  expect((await ok<Message>('GET', `/messages/${m1.id}`, bob)).body).toBe('first edit');
  const thread = await ok<{ root: Message; replies: Message[] }>('GET', `/messages/${root.id}/thread`, bob);
  expect(thread.root.reply_count).toBe(1);
  expect(thread.replies.map((m) => m.id)).toEqual([reply.id]);

  const page = await ok<EventsPage>('GET', `/conversations/${g.id}/events?after_seq=0`, bob);
  const created = page.events.filter((e): e is MessageCreatedEvent => e.type === 'message.created');
  expect(created.find((e) => e.message.id === m1.id)!.message.body).toBe('first edit');
  expect(created.find((e) => e.message.id === reply.id)!.thread_root).toEqual({ id: root.id, reply_count: 1, last_reply_at: reply.created_at });

  const list = await ok<{ conversations: Conversation[] }>('GET', '/conversations?include_left=true', bob);
  const mine = list.conversations.find((c) => c.id === g.id)!;
  expect(mine.last_message?.id).toBe(root.id);
  expect(mine.last_message?.reply_count).toBe(1);

  for (const seen of [history, thread, page, list]) expect(JSON.stringify(seen)).not.toMatch(/secret|eyes|me too/);

  // Carol, still a member, sees the conversation as it is now.
  const now = await ok<Message>('GET', `/messages/${m1.id}`, carol);
  expect(now.body).toBe('secret written after bob left');
  expect(now.reactions.map((r) => r.emoji).sort()).toEqual(['eyes', 'thumbsup']);
  expect((await ok<Message>('GET', `/messages/${root.id}`, carol)).reply_count).toBe(3);
});
