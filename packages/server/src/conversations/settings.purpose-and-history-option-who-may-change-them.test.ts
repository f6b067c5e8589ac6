/**
 * The channel settings a details panel changes beyond name and topic: the purpose (any active
 * member, like the topic) and the history option for members added later (those who may rename
 * the channel). Each change is a `conversation.updated` log event, live and on replay; refusals
 * are typed, and nobody outside a private channel learns anything from them.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { AuditEntry, Conversation, ConversationUpdatedEvent, ErrorBody, EventsPage, HistoryPage, SendAck } from '@parley/protocol';
import { api, createConversation, registerUser, type ApiResult, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
let root!: TestUser;
const { connect } = serverPerFile((s, owner) => {
  server = s;
  root = owner;
});

const patch = (u: TestUser, convId: string, body: unknown) => api<Conversation & { error?: ErrorBody }>(server, 'PATCH', `/conversations/${convId}`, body, u.token);
const get = (u: TestUser, convId: string) => api<Conversation>(server, 'GET', `/conversations/${convId}`, undefined, u.token);
const code = (r: ApiResult<{ error?: ErrorBody }>) => `${r.status} ${r.body.error?.code ?? 'ok'}`;
const name = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

async function send(u: TestUser, convId: string, body: string): Promise<SendAck> {
  const s = await connect(u);
  return s.request('message.send', { conv_id: convId, client_msg_id: randomUUID(), body });
}

describe('purpose', () => {
  test('is null until set, set on create or by any member, trimmed, cleared by blank, and capped at 250 characters', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const plain = await createConversation(server, alice.token, { kind: 'channel', name: name('plain'), visibility: 'public' });
    expect(plain.purpose).toBeNull();
    const chan = await createConversation(server, alice.token, { kind: 'channel', name: name('ops'), visibility: 'private', purpose: '  Keep production up  ', member_ids: [bob.user.id] });
    expect(chan.purpose).toBe('Keep production up');

    const set = await patch(bob, chan.id, { purpose: 'Incidents and deploys' });
    expect(set.status).toBe(200);
    expect(set.body.purpose).toBe('Incidents and deploys');
    expect((await get(alice, chan.id)).body.purpose).toBe('Incidents and deploys');

    expect(code(await patch(bob, chan.id, { purpose: 'x'.repeat(251) }))).toBe('400 invalid_request');
    expect((await patch(bob, chan.id, { purpose: 'x'.repeat(250) })).status).toBe(200);
    expect((await patch(bob, chan.id, { purpose: '   ' })).body.purpose).toBeNull();
    expect((await patch(bob, chan.id, { purpose: 'back' })).body.purpose).toBe('back');
    expect((await patch(bob, chan.id, { purpose: null })).body.purpose).toBeNull();
    // A DM has no purpose, as it has no topic.
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    expect(dm.purpose).toBeNull();
    expect(code(await patch(alice, dm.id, { purpose: 'chatting' }))).toBe('403 forbidden');
  });

  test('reaches members live and on replay; a member who left keeps the purpose they saw; outsiders learn nothing', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const carol = await registerUser(server);
    const mallory = await registerUser(server);
    const chan = await createConversation(server, alice.token, { kind: 'channel', name: name('plans'), visibility: 'private', purpose: 'the old plan', member_ids: [bob.user.id, carol.user.id] });
    expect((await api(server, 'POST', `/conversations/${chan.id}/leave`, undefined, carol.token)).status).toBe(204);
    const b = await connect(bob);

    expect((await patch(alice, chan.id, { purpose: 'the new plan' })).status).toBe(200);
    const live = await b.waitFor<ConversationUpdatedEvent>((e) => e.type === 'conversation.updated' && e.conv_id === chan.id);
    expect(live.changes).toEqual({ purpose: 'the new plan' });
    const page = await api<EventsPage>(server, 'GET', `/conversations/${chan.id}/events?after_seq=0`, undefined, bob.token);
    const replayed = page.body.events.filter((e): e is ConversationUpdatedEvent => e.type === 'conversation.updated');
    expect(replayed.map((e) => e.changes)).toEqual([{ purpose: 'the new plan' }]);
    // Carol left before the change: she sees the purpose as it was, and her replay stops at her leave.
    expect((await get(carol, chan.id)).body.purpose).toBe('the old plan');
    const hers = await api<EventsPage>(server, 'GET', `/conversations/${chan.id}/events?after_seq=0`, undefined, carol.token);
    expect(JSON.stringify(hers.body)).not.toContain('the new plan');
    expect(code(await patch(carol, chan.id, { purpose: 'the new plan' }))).toBe('403 not_member');
    // Mallory was never in it: the same 404 as for a conversation that does not exist.
    expect(code(await patch(mallory, chan.id, { purpose: 'mine now' }))).toBe('404 not_found');
    expect(code(await patch(mallory, randomUUID().replace(/-/g, '').slice(0, 26).toUpperCase(), { purpose: 'mine now' }))).toBe('404 not_found');
    expect((await get(alice, chan.id)).body.purpose).toBe('the new plan');
  });
});

describe('history option for members added later', () => {
  test('the owner turns a channel since_join: members added from then on start where they joined; those already in keep what they had', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dave = await registerUser(server);
    const chan = await createConversation(server, alice.token, { kind: 'channel', name: name('hist'), visibility: 'private', member_ids: [bob.user.id] });
    expect(chan.history_visibility).toBe('full');
    const early = await send(alice, chan.id, 'before the change');
    const b = await connect(bob);

    const changed = await patch(alice, chan.id, { history_visibility: 'since_join' });
    expect(changed.status).toBe(200);
    expect(changed.body.history_visibility).toBe('since_join');
    const live = await b.waitFor<ConversationUpdatedEvent>((e) => e.type === 'conversation.updated' && e.conv_id === chan.id);
    expect(live.changes).toEqual({ history_visibility: 'since_join' });

    expect((await api(server, 'POST', `/conversations/${chan.id}/members`, { user_id: dave.user.id }, alice.token)).status).toBe(200);
    const late = await send(alice, chan.id, 'after dave joined');
    const davesHistory = await api<HistoryPage>(server, 'GET', `/conversations/${chan.id}/messages?limit=100`, undefined, dave.token);
    expect(davesHistory.body.messages.map((m) => m.id)).toEqual([late.id]);
    expect((await api(server, 'GET', `/messages/${early.id}`, undefined, dave.token)).status).toBe(404);
    const bobsHistory = await api<HistoryPage>(server, 'GET', `/conversations/${chan.id}/messages?limit=100`, undefined, bob.token);
    expect(bobsHistory.body.messages.map((m) => m.id)).toEqual([early.id, late.id]);

    // The change is audited: who may read what changed.
    const audit = await api<{ entries: AuditEntry[] }>(server, 'GET', `/admin/audit?action=conversation.history_changed`, undefined, root.token);
    expect(audit.body.entries.find((e) => e.target === chan.id)).toMatchObject({ actor_id: alice.user.id, data: { history_visibility: 'since_join' } });
  });

  test('only those who may rename a channel change it: plain members are forbidden, outsiders of a private channel get 404, groups and DMs have no option', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const carol = await registerUser(server);
    const outsider = await registerUser(server);
    const wsAdmin = await registerUser(server);
    expect((await api(server, 'PATCH', `/admin/users/${wsAdmin.user.id}`, { role: 'admin' }, root.token)).status).toBe(200);
    const priv = await createConversation(server, alice.token, { kind: 'channel', name: name('priv'), visibility: 'private', member_ids: [bob.user.id, carol.user.id] });
    const pub = await createConversation(server, alice.token, { kind: 'channel', name: name('pub'), visibility: 'public', member_ids: [bob.user.id] });
    expect((await api(server, 'PATCH', `/conversations/${priv.id}/members/${carol.user.id}`, { role: 'admin' }, alice.token)).status).toBe(200);
    const since = { history_visibility: 'since_join' };

    expect(code(await patch(bob, priv.id, since))).toBe('403 forbidden');
    expect(code(await patch(bob, pub.id, since))).toBe('403 forbidden');
    // Sent together with a change he may make, the whole request is refused and nothing changes.
    expect(code(await patch(bob, priv.id, { topic: 'mine', ...since }))).toBe('403 forbidden');
    expect(code(await patch(outsider, priv.id, since))).toBe('404 not_found');
    expect(code(await patch(wsAdmin, priv.id, since))).toBe('404 not_found');
    expect(code(await patch(outsider, pub.id, since))).toBe('403 not_member');
    const untouched = (await get(alice, priv.id)).body;
    expect([untouched.history_visibility, untouched.topic]).toEqual(['full', '']);
    expect((await get(alice, pub.id)).body.history_visibility).toBe('full');

    // A conversation admin may; a workspace admin may in a public channel, as with renaming.
    expect((await patch(carol, priv.id, since)).body.history_visibility).toBe('since_join');
    expect((await patch(wsAdmin, pub.id, since)).body.history_visibility).toBe('since_join');

    const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
    expect(code(await patch(alice, group.id, since))).toBe('403 forbidden');
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    expect(code(await patch(alice, dm.id, since))).toBe('403 forbidden');
    expect(code(await patch(alice, priv.id, { history_visibility: 'everything' }))).toBe('400 invalid_request');

    // Frozen with the rest of an archived channel.
    expect((await patch(alice, priv.id, { archived: true })).status).toBe(200);
    expect(code(await patch(alice, priv.id, { history_visibility: 'full' }))).toBe('403 conversation_archived');
  });
});
