/**
 * What the audit log records beyond failures: every sign-in (with the session it started), who
 * was put into or left a conversation and who made a private one, and what an admin changed on an
 * account — each with actor, target and the caller's address. Ordinary messaging is not recorded.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import type { AuditEntry, Conversation } from '@parley/protocol';
import { api, createConversation, login, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server: TestServer;
let owner: TestUser;
serverPerFile((s, o) => {
  server = s;
  owner = o;
});

const LOCAL = '127.0.0.1';

async function entries(query = ''): Promise<AuditEntry[]> {
  const res = await api<{ entries: AuditEntry[] }>(server, 'GET', `/admin/audit?limit=500${query}`, undefined, owner.token);
  expect(res.status).toBe(200);
  return res.body.entries;
}

test('a sign-in is recorded as auth.login by the user, with the session it started, how, and from where', async () => {
  const alice = await registerUser(server);
  const laptop = await login(server, alice.user.username);
  const mine = (await entries()).filter((e) => e.action === 'auth.login' && e.target === alice.user.id);
  expect(mine).toEqual([
    expect.objectContaining({ actor_id: alice.user.id, actor_username: alice.user.username, ip: LOCAL, data: { session_id: laptop.sessionId, method: 'password' } }),
    expect.objectContaining({ actor_id: alice.user.id, ip: LOCAL, data: { session_id: alice.sessionId, method: 'registration' } }),
  ]);
});

test('creating a private channel or a group names its members; a DM is not recorded', async () => {
  const [bob, carol] = await Promise.all([registerUser(server), registerUser(server)]);
  const secret = await createConversation(server, owner.token, { kind: 'channel', name: `incident-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: [bob.user.id] });
  const group = await createConversation(server, bob.token, { kind: 'group', member_ids: [carol.user.id] });
  const dm = await createConversation(server, bob.token, { kind: 'dm', user_id: carol.user.id });
  const log = await entries();
  expect(log.find((e) => e.target === secret.id && e.action === 'conversation.created')).toMatchObject({
    actor_id: owner.user.id,
    ip: LOCAL,
    data: { kind: 'channel', visibility: 'private', name: secret.name, member_count: 2, member_ids: [bob.user.id] },
  });
  expect(log.find((e) => e.target === group.id && e.action === 'conversation.created')).toMatchObject({ actor_id: bob.user.id, data: { kind: 'group', member_ids: [carol.user.id] } });
  expect(log.filter((e) => e.target === dm.id)).toEqual([]);
});

test('joining, being added, leaving, being removed and archiving are each recorded on the conversation, naming the member', async () => {
  const [dave, erin, frank] = await Promise.all([registerUser(server), registerUser(server), registerUser(server)]);
  const chan: Conversation = await createConversation(server, owner.token, { kind: 'channel', name: `ops-${randomUUID().slice(0, 8)}`, visibility: 'public' });
  expect((await api(server, 'POST', `/conversations/${chan.id}/join`, undefined, dave.token)).status).toBe(200);
  expect((await api(server, 'POST', `/conversations/${chan.id}/members`, { user_id: erin.user.id }, owner.token)).status).toBe(200);
  expect((await api(server, 'POST', `/conversations/${chan.id}/members`, { user_id: frank.user.id }, owner.token)).status).toBe(200);
  expect((await api(server, 'POST', `/conversations/${chan.id}/leave`, undefined, dave.token)).status).toBe(204);
  expect((await api(server, 'DELETE', `/conversations/${chan.id}/members/${frank.user.id}`, undefined, owner.token)).status).toBe(204);
  expect((await api(server, 'PATCH', `/conversations/${chan.id}`, { archived: true }, owner.token)).status).toBe(200);

  const onChannel = (await entries()).filter((e) => e.target === chan.id).reverse();
  expect(onChannel.map((e) => [e.action, e.actor_id, (e.data as { user_id?: string }).user_id ?? null, e.ip])).toEqual([
    ['conversation.created', owner.user.id, null, LOCAL],
    ['member.joined', dave.user.id, dave.user.id, LOCAL],
    ['member.added', owner.user.id, erin.user.id, LOCAL],
    ['member.added', owner.user.id, frank.user.id, LOCAL],
    ['member.left', dave.user.id, dave.user.id, LOCAL],
    ['member.removed', owner.user.id, frank.user.id, LOCAL],
    ['conversation.archived', owner.user.id, null, LOCAL],
  ]);
});

test('an admin’s role change, deactivation and reactivation of an account record each change from → to', async () => {
  const gina = await registerUser(server);
  const patch = (body: unknown) => api(server, 'PATCH', `/admin/users/${gina.user.id}`, body, owner.token);
  expect((await patch({ role: 'admin' })).status).toBe(200);
  expect((await patch({ role: 'admin' })).status).toBe(200); // no change: nothing recorded
  expect((await patch({ deactivated: true })).status).toBe(200);
  expect((await patch({ deactivated: false, role: 'member' })).status).toBe(200);

  const changes = (await entries()).filter((e) => e.action === 'user.updated_by_admin' && e.target === gina.user.id).reverse();
  expect(changes.map((e) => ({ actor: e.actor_id, ip: e.ip, data: e.data }))).toEqual([
    { actor: owner.user.id, ip: LOCAL, data: { role: { from: 'member', to: 'admin' } } },
    { actor: owner.user.id, ip: LOCAL, data: { deactivated: { from: false, to: true } } },
    { actor: owner.user.id, ip: LOCAL, data: { role: { from: 'admin', to: 'member' }, deactivated: { from: true, to: false } } },
  ]);
  // The deactivation ended her session, said so too.
  expect((await entries()).find((e) => e.action === 'session.revoked' && e.target === gina.sessionId)).toMatchObject({ actor_id: owner.user.id, data: { reason: 'user_deactivated' } });
});

test('sending, editing and reacting to messages leave no audit entries', async () => {
  const hank = await registerUser(server);
  const chan = await createConversation(server, hank.token, { kind: 'channel', name: `chat-${randomUUID().slice(0, 8)}`, visibility: 'public' });
  const before = (await entries()).length;
  const sent = await api<{ id: string }>(server, 'POST', `/conversations/${chan.id}/messages`, { client_msg_id: randomUUID(), body: 'hello' }, hank.token);
  expect(sent.status).toBe(201);
  expect((await api(server, 'PATCH', `/messages/${sent.body.id}`, { body: 'hello again' }, hank.token)).status).toBe(200);
  expect((await api(server, 'POST', `/messages/${sent.body.id}/reactions`, { emoji: '👍' }, hank.token)).status).toBeLessThan(300);
  expect((await entries()).length).toBe(before);
});
