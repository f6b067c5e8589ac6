/**
 * Membership changes check and write in one transaction under the conversation's lock: the same
 * change sent twice at once (a double click, two admins) applies once, and the member count and
 * the log agree. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
 */
import crypto from 'node:crypto';
import { expect, test } from 'vitest';
import type { Conversation, LogEvent } from '@parley/protocol';
import { api, createConversation, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server: TestServer;
serverPerFile((s) => (server = s));

async function log(convId: string, token: string): Promise<LogEvent[]> {
  const res = await api<{ events: LogEvent[] }>(server, 'GET', `/conversations/${convId}/events?after_seq=0`, undefined, token);
  expect(res.status).toBe(200);
  return res.body.events;
}

test('joining a public channel twice at once adds the member once', async () => {
  const [bob, carol] = [await registerUser(server), await registerUser(server)];
  const channel = await createConversation(server, bob.token, { kind: 'channel', name: `twice-${crypto.randomUUID().slice(0, 8)}`, visibility: 'public' });
  const joins = await Promise.all(Array.from({ length: 4 }, () => api<Conversation>(server, 'POST', `/conversations/${channel.id}/join`, undefined, carol.token)));
  expect(joins.map((j) => j.status)).toEqual([200, 200, 200, 200]);
  const events = await log(channel.id, bob.token);
  expect(events.filter((e) => e.type === 'member.joined' && e.user.id === carol.user.id)).toHaveLength(1);
  const now = await api<Conversation>(server, 'GET', `/conversations/${channel.id}`, undefined, bob.token);
  expect(now.body.member_count).toBe(2);
});

test('two admins removing the same member at once remove them once: one 204, the other not found', async () => {
  const [bob, ada, carol] = [await registerUser(server), await registerUser(server), await registerUser(server)];
  const group = await createConversation(server, bob.token, { kind: 'group', member_ids: [ada.user.id, carol.user.id] });
  expect((await api(server, 'PATCH', `/conversations/${group.id}/members/${ada.user.id}`, { role: 'admin' }, bob.token)).status).toBe(200);
  const [r1, r2] = await Promise.all([
    api(server, 'DELETE', `/conversations/${group.id}/members/${carol.user.id}`, undefined, bob.token),
    api(server, 'DELETE', `/conversations/${group.id}/members/${carol.user.id}`, undefined, ada.token),
  ]);
  expect([r1.status, r2.status].sort()).toEqual([204, 404]);
  const events = await log(group.id, bob.token);
  expect(events.filter((e) => e.type === 'member.left' && e.user_id === carol.user.id)).toHaveLength(1);
  const now = await api<Conversation>(server, 'GET', `/conversations/${group.id}`, undefined, bob.token);
  expect(now.body.member_count).toBe(2);
});

test('leaving twice at once leaves once; the second answer is not_member', async () => {
  const [bob, carol] = [await registerUser(server), await registerUser(server)];
  const group = await createConversation(server, bob.token, { kind: 'group', member_ids: [carol.user.id] });
  const [l1, l2] = await Promise.all([
    api<{ error?: { code: string } }>(server, 'POST', `/conversations/${group.id}/leave`, undefined, carol.token),
    api<{ error?: { code: string } }>(server, 'POST', `/conversations/${group.id}/leave`, undefined, carol.token),
  ]);
  expect([l1.status, l2.status].sort()).toEqual([204, 403]);
  expect((l1.status === 403 ? l1 : l2).body.error?.code).toBe('not_member');
  expect((await log(group.id, bob.token)).filter((e) => e.type === 'member.left')).toHaveLength(1);
});
