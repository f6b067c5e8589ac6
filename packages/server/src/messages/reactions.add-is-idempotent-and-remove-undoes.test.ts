import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import type { Message, ReactionChangedEvent, ServerEvent } from '@parley/protocol';
import { api, createConversation, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

/** Reactions made within the same millisecond have no defined order: compare them as sets. */
const norm = (rs: Message['reactions']) => rs.map((r) => ({ ...r, user_ids: [...r.user_ids].sort() })).sort((x, y) => x.emoji.localeCompare(y.emoji));

const reactionOn =
  (messageId: string) =>
  (e: ServerEvent): e is ReactionChangedEvent =>
    e.type === 'reaction.changed' && e.message.id === messageId;

test('adding the same reaction twice counts once and emits one event; removing it emits a remove event', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const carol = await registerUser(server);
  const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id, carol.user.id] });
  const a = await connect(alice);
  const b = await connect(bob);
  const c = await connect(carol);
  const msg = await a.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'we shipped' });

  const first = await b.request('reaction.add', { message_id: msg.id, emoji: '🎉' });
  expect(first.reactions).toEqual([{ emoji: '🎉', count: 1, user_ids: [bob.user.id] }]);
  const again = await b.request('reaction.add', { message_id: msg.id, emoji: '🎉' });
  expect(again.reactions).toEqual([{ emoji: '🎉', count: 1, user_ids: [bob.user.id] }]);

  const ev = await a.waitFor<ReactionChangedEvent>(reactionOn(msg.id));
  expect(ev).toMatchObject({ conv_id: group.id, emoji: '🎉', user_id: bob.user.id, op: 'add', actor_id: bob.user.id });
  expect(ev.message.reactions).toEqual([{ emoji: '🎉', count: 1, user_ids: [bob.user.id] }]);

  // Carol adds the same emoji over REST: the count grows to two.
  const viaRest = await api<Message>(server, 'POST', `/messages/${msg.id}/reactions`, { emoji: '🎉' }, carol.token);
  expect(viaRest.status).toBe(200);
  expect(norm(viaRest.body.reactions)).toEqual(norm([{ emoji: '🎉', count: 2, user_ids: [bob.user.id, carol.user.id] }]));
  await a.waitForCount(reactionOn(msg.id), 2);

  // Bob removes his: one remove event, carol's stays.
  const removed = await b.request('reaction.remove', { message_id: msg.id, emoji: '🎉' });
  expect(removed.reactions).toEqual([{ emoji: '🎉', count: 1, user_ids: [carol.user.id] }]);
  const [, , rm] = (await c.waitForCount(reactionOn(msg.id), 3)) as ReactionChangedEvent[];
  expect(rm).toMatchObject({ emoji: '🎉', user_id: bob.user.id, op: 'remove' });
  expect(rm!.message.reactions).toEqual([{ emoji: '🎉', count: 1, user_ids: [carol.user.id] }]);

  // Removing what is not there changes nothing and emits nothing.
  const noop = await b.request('reaction.remove', { message_id: msg.id, emoji: '🎉' });
  expect(noop.reactions).toEqual([{ emoji: '🎉', count: 1, user_ids: [carol.user.id] }]);
  const del = await api<Message>(server, 'DELETE', `/messages/${msg.id}/reactions/${encodeURIComponent('🎉')}`, undefined, carol.token);
  expect(del.status).toBe(200);
  expect(del.body.reactions).toEqual([]);

  // Exactly: add (bob), add (carol), remove (bob), remove (carol); the double add and no-op remove emitted nothing.
  const sentinel = await a.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'sentinel' });
  await c.waitFor((e) => e.type === 'message.created' && e.message.id === sentinel.id);
  for (const s of [a, b, c]) {
    expect(s.events.filter(reactionOn(msg.id)).map((e) => `${e.op}:${e.user_id}`)).toEqual([`add:${bob.user.id}`, `add:${carol.user.id}`, `remove:${bob.user.id}`, `remove:${carol.user.id}`]);
  }
  // Reaction events are log events with increasing seqs, and the message at rest agrees.
  const seqs = c.events.filter(reactionOn(msg.id)).map((e) => e.seq);
  expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
  const now = await api<Message>(server, 'GET', `/messages/${msg.id}`, undefined, alice.token);
  expect(now.body.reactions).toEqual([]);
});

test('different emojis are listed separately with their own counts', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const a = await connect(alice);
  const b = await connect(bob);
  const msg = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'hello' });
  await b.request('reaction.add', { message_id: msg.id, emoji: '👍' });
  await a.request('reaction.add', { message_id: msg.id, emoji: '👍' });
  const last = await a.request('reaction.add', { message_id: msg.id, emoji: ':wave:' });
  expect(norm(last.reactions)).toEqual(
    norm([
      { emoji: '👍', count: 2, user_ids: [bob.user.id, alice.user.id] },
      { emoji: ':wave:', count: 1, user_ids: [alice.user.id] },
    ]),
  );
});
