import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import type { ErrorBody, Message } from '@parley/protocol';
import { api, createConversation, errorCode, registerUser, sleep, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

async function ok<T>(method: string, route: string, u: TestUser, body?: unknown): Promise<T> {
  const res = await api<T>(server, method, route, body, u.token);
  expect(res.status, `${method} ${route}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

// A retry with the same client_msg_id is answered from the original message, and was answered
// with it as it is now: a member who left could re-send one of their own old messages and read
// the reactions and thread replies made after they were gone.
test('after I leave, re-sending one of my old messages (REST and socket) acks it as it was when I left', async () => {
  const [alice, bob, carol] = [await registerUser(server), await registerUser(server), await registerUser(server)];
  const g = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id, carol.user.id] });
  const cmid = randomUUID();
  const mine = await ok<Message>('POST', `/conversations/${g.id}/messages`, bob, { client_msg_id: cmid, body: 'lunch?' });
  await ok('POST', `/messages/${mine.id}/reactions`, carol, { emoji: 'thumbsup' });
  const reply = await ok<Message>('POST', `/conversations/${g.id}/messages`, alice, { client_msg_id: randomUUID(), body: 'yes', reply_to: mine.id });
  const asLeft = await ok<Message>('GET', `/messages/${mine.id}`, bob);

  await ok('POST', `/conversations/${g.id}/leave`, bob);
  await sleep(5);
  await ok('POST', `/messages/${mine.id}/reactions`, carol, { emoji: 'eyes' });
  await ok('POST', `/conversations/${g.id}/messages`, alice, { client_msg_id: randomUUID(), body: 'secret plan, after bob left', reply_to: mine.id });
  await ok('POST', `/conversations/${g.id}/messages`, carol, { client_msg_id: randomUUID(), body: 'me too', reply_to: mine.id });

  const retried = await api<Message>(server, 'POST', `/conversations/${g.id}/messages`, { client_msg_id: cmid, body: 'lunch?' }, bob.token);
  expect(retried.status).toBe(200);
  const b = await connect(bob);
  const ack = await b.request('message.send', { conv_id: g.id, client_msg_id: cmid, body: 'lunch?' });
  expect(ack).toMatchObject({ id: mine.id, seq: mine.seq, duplicate: true });

  for (const seen of [retried.body, ack.message]) {
    expect(seen.reactions.map((r) => r.emoji)).toEqual(['thumbsup']);
    expect(seen.reply_count).toBe(1);
    expect(seen.last_reply_at).toBe(reply.created_at);
    expect(seen).toEqual(asLeft);
    expect(JSON.stringify(seen)).not.toMatch(/eyes|secret|me too/);
  }
  // Carol, still a member, sees it as it is now; nothing was created by the retries.
  const now = await ok<Message>('GET', `/messages/${mine.id}`, carol);
  expect(now.reactions.map((r) => r.emoji).sort()).toEqual(['eyes', 'thumbsup']);
  expect(now.reply_count).toBe(3);
  const history = await ok<{ messages: Message[] }>('GET', `/conversations/${g.id}/messages`, carol);
  expect(history.messages.filter((m) => m.client_msg_id === cmid)).toHaveLength(1);
});

test('a retry of a message I can no longer read (rejoined a since_join channel after it) is refused like any read of it', async () => {
  const [alice, bob] = [await registerUser(server), await registerUser(server)];
  const ch = await createConversation(server, alice.token, {
    kind: 'channel',
    name: `since-${randomUUID().slice(0, 8)}`,
    visibility: 'public',
    history_visibility: 'since_join',
    member_ids: [bob.user.id],
  });
  const cmid = randomUUID();
  const mine = await ok<Message>('POST', `/conversations/${ch.id}/messages`, bob, { client_msg_id: cmid, body: 'before' });
  await ok('POST', `/messages/${mine.id}/reactions`, alice, { emoji: 'thumbsup' });
  await ok('POST', `/conversations/${ch.id}/leave`, bob);
  await ok('POST', `/conversations/${ch.id}/join`, bob);

  const read = await api<{ error: ErrorBody }>(server, 'GET', `/messages/${mine.id}`, undefined, bob.token);
  const retried = await api<{ error: ErrorBody }>(server, 'POST', `/conversations/${ch.id}/messages`, { client_msg_id: cmid, body: 'before' }, bob.token);
  expect([retried.status, retried.body]).toEqual([404, read.body]);
  const b = await connect(bob);
  expect(await errorCode(b.request('message.send', { conv_id: ch.id, client_msg_id: cmid, body: 'before' }))).toBe('not_found');
});
