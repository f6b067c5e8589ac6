import { afterAll, beforeAll, expect, test } from 'vitest';
import type { LogEvent, NoticesPage } from '@parley/protocol';
import { api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let mallory: TestUser;
beforeAll(async () => {
  server = await startServer();
  alice = await registerUser(server, 'alice');
  bob = await registerUser(server, 'bob');
  carol = await registerUser(server, 'carol');
  mallory = await registerUser(server, 'mallory');
});
afterAll(async () => {
  await server.stop();
});

const send = (token: string, convId: string, body: string) => api(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: crypto.randomUUID(), body }, token);
const notices = async (token: string, convId: string, query = '') => api<NoticesPage>(server, 'GET', `/conversations/${convId}/notices${query}`, undefined, token);
const summary = (events: LogEvent[]) =>
  events.map((e) =>
    e.type === 'member.joined'
      ? `joined ${e.user.username} by ${e.actor_id === e.user.id ? 'self' : 'other'}`
      : e.type === 'member.left'
        ? `left ${e.user_id === carol.user.id ? 'carol' : e.user_id}`
        : e.type === 'conversation.updated'
          ? `updated ${JSON.stringify(e.changes)}`
          : e.type,
  );

test('the notices of a conversation are its joins, leaves and renames, in seq order, without its messages', async () => {
  const ch = await createConversation(server, alice.token, { kind: 'channel', name: 'notices-demo', visibility: 'public' });
  await send(alice.token, ch.id, 'hello');
  await api(server, 'POST', `/conversations/${ch.id}/join`, undefined, bob.token);
  await api(server, 'POST', `/conversations/${ch.id}/members`, { user_id: carol.user.id }, alice.token);
  await api(server, 'PATCH', `/conversations/${ch.id}`, { name: 'ops', topic: 'deploys' }, alice.token);
  await send(bob.token, ch.id, 'hi');
  await api(server, 'POST', `/conversations/${ch.id}/leave`, undefined, carol.token);

  const page = await notices(bob.token, ch.id);
  expect(page.status).toBe(200);
  expect(summary(page.body.notices)).toEqual(['joined alice by self', 'joined bob by self', 'joined carol by other', 'updated {"name":"ops","topic":"deploys"}', 'left carol']);
  const seqs = page.body.notices.map((e) => e.seq);
  expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  expect(page.body.has_more).toBe(false);

  // A span: only what lies between the seqs asked for; a limit keeps the newest, and says more exist.
  const middle = await notices(bob.token, ch.id, `?after_seq=${seqs[1]}&before_seq=${seqs[4]}`);
  expect(middle.body.notices.map((e) => e.seq)).toEqual(seqs.slice(2, 4));
  const newest = await notices(bob.token, ch.id, '?limit=2');
  expect(newest.body.notices.map((e) => e.seq)).toEqual(seqs.slice(3));
  expect(newest.body.has_more).toBe(true);
});

test('someone outside a private channel gets 404, and a member who left sees nothing after leaving', async () => {
  const ch = await createConversation(server, alice.token, { kind: 'channel', name: 'notices-private', visibility: 'private', member_ids: [carol.user.id] });
  expect((await notices(mallory.token, ch.id)).status).toBe(404);
  await api(server, 'POST', `/conversations/${ch.id}/leave`, undefined, carol.token);
  await api(server, 'PATCH', `/conversations/${ch.id}`, { name: 'secret-plans' }, alice.token);
  const left = await notices(carol.token, ch.id);
  expect(JSON.stringify(left.body)).not.toContain('secret-plans');
  expect(summary(left.body.notices).at(-1)).toBe('left carol');
});
