/**
 * Saved messages: mine alone (no log event, nobody else hears of them; my other devices do),
 * listed last saved first in pages, each as I may read it now; a message I can no longer read
 * (history I lost by coming back to a `since_join` channel, a recall) drops out of the list and
 * never leaks, a member who left sees a message as it was when they left, and nobody saves what
 * they cannot read.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Message, SavedChangedEvent, SavedMessage, SavedPage, ServerEvent } from '@parley/protocol';
import { api, createConversation, registerUser, sleep, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

async function ok<T>(method: string, route: string, u: TestUser, body?: unknown): Promise<T> {
  const res = await api<T>(server, method, route, body, u.token);
  expect(res.status, `${method} ${route}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}
const send = (u: TestUser, convId: string, body: string) => ok<Message>('POST', `/conversations/${convId}/messages`, u, { client_msg_id: randomUUID(), body });
const save = (u: TestUser, id: string) => ok<SavedMessage>('PUT', `/messages/${id}/saved`, u);
const savedList = (u: TestUser, q = '') => ok<SavedPage>('GET', `/me/saved${q}`, u);
const savedBodies = async (u: TestUser) => (await savedList(u)).saved.map((s) => s.message.body);
const savedChanged =
  (id: string) =>
  (e: ServerEvent): e is SavedChangedEvent =>
    e.type === 'saved.changed' && e.message_id === id;
const savedRows = (id: string) => server.parley.storage.db.selectFrom('saved_messages').select('user_id').where('message_id', '=', id).execute();

describe('saved messages', () => {
  test('saving is private: my other devices hear of it, the other members never do; pages go last saved first', async () => {
    const [alice, bob] = [await registerUser(server), await registerUser(server)];
    const g = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
    const [phone, laptop, b] = [await connect(alice), await connect(alice), await connect(bob)];
    const m1 = await send(bob, g.id, 'first: the deploy checklist');
    const m2 = await send(bob, g.id, 'second: the on-call rota');
    const m3 = await send(alice, g.id, 'third: my own note');

    const s1 = await save(alice, m1.id);
    expect(s1.message).toMatchObject({ id: m1.id, body: 'first: the deploy checklist' });
    const heard = await laptop.waitFor<SavedChangedEvent>(savedChanged(m1.id));
    expect(heard.saved).toEqual(s1);
    await phone.waitFor(savedChanged(m1.id));
    // Saved again: the same entry, no second event.
    expect(await save(alice, m1.id)).toEqual(s1);
    await sleep(2);
    await save(alice, m3.id);
    await sleep(2);
    await save(alice, m2.id);
    await laptop.waitFor(savedChanged(m2.id));
    expect(laptop.events.filter(savedChanged(m1.id))).toHaveLength(1);

    expect(await savedBodies(alice)).toEqual(['second: the on-call rota', 'third: my own note', 'first: the deploy checklist']);
    const first = await savedList(alice, '?limit=2');
    expect(first.saved.map((s) => s.message.id)).toEqual([m2.id, m3.id]);
    const rest = await savedList(alice, `?limit=2&cursor=${encodeURIComponent(first.next_cursor!)}`);
    expect(rest).toEqual({ saved: [s1], next_cursor: null });
    expect((await api(server, 'GET', '/me/saved?cursor=nonsense', undefined, alice.token)).status).toBe(400);

    // Bob, in the same conversation, learns nothing: no event, no log entry, an empty list; the message shows no trace.
    expect(await savedBodies(bob)).toEqual([]);
    expect(b.events.filter((e) => e.type === 'saved.changed')).toEqual([]);
    const log = await b.request('sync.events', { conv_id: g.id, after_seq: 0, limit: 100 });
    expect(log.events.map((e) => e.type)).not.toContain('saved.changed');
    expect(log.last_seq).toBe(m3.seq);

    await api(server, 'DELETE', `/messages/${m3.id}/saved`, undefined, alice.token).then((r) => expect(r.status).toBe(204));
    const gone = await phone.waitFor<SavedChangedEvent>((e) => savedChanged(m3.id)(e) && e.saved === null);
    expect(gone).toEqual({ type: 'saved.changed', message_id: m3.id, saved: null });
    expect(await savedBodies(alice)).toEqual(['second: the on-call rota', 'first: the deploy checklist']);
    // Unsaving again is fine and says nothing.
    expect((await api(server, 'DELETE', `/messages/${m3.id}/saved`, undefined, alice.token)).status).toBe(204);
    await save(alice, m1.id);
    // Saving m3 again is news: once it arrived, anything the no-ops above had sent would have too.
    await save(alice, m3.id);
    await phone.waitForCount(savedChanged(m3.id), 3);
    expect(phone.events.filter(savedChanged(m3.id)).map((e) => (e as SavedChangedEvent).saved !== null)).toEqual([true, false, true]);
    expect(phone.events.filter(savedChanged(m1.id))).toHaveLength(1);
  });

  test('a message I can no longer read drops out of my list; one of a conversation I left shows as it was then', async () => {
    const [alice, bob, eve] = [await registerUser(server), await registerUser(server), await registerUser(server)];
    // A channel whose new members start at their join: leaving and coming back loses the history between.
    const pub = await createConversation(server, alice.token, { kind: 'channel', name: `saved-${randomUUID().slice(0, 6)}`, visibility: 'public', history_visibility: 'since_join' });
    await ok('POST', `/conversations/${pub.id}/join`, bob);
    const lost = await send(alice, pub.id, 'said while bob was first here');
    await save(bob, lost.id);
    // A group bob leaves: what he saved there stays readable, as it was when he left.
    const g = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
    const plan = await send(alice, g.id, 'the plan as bob knew it');
    await save(bob, plan.id);
    const recalled = await send(alice, g.id, 'a message alice will recall');
    await save(bob, recalled.id);
    await save(alice, recalled.id);
    expect(await savedBodies(bob)).toEqual(['a message alice will recall', 'the plan as bob knew it', 'said while bob was first here']);

    // Recalled: gone from every list, the rows with it.
    await ok('DELETE', `/messages/${recalled.id}`, alice);
    expect(await savedRows(recalled.id)).toEqual([]);
    expect(await savedBodies(alice)).toEqual([]);
    expect((await api(server, 'PUT', `/messages/${recalled.id}/saved`, undefined, bob.token)).status).toBe(409);

    await ok('POST', `/conversations/${g.id}/leave`, bob);
    await ok('PATCH', `/messages/${plan.id}`, alice, { body: 'the plan, rewritten after bob left' });
    await ok('POST', `/conversations/${pub.id}/leave`, bob);
    await ok('POST', `/conversations/${pub.id}/join`, bob);
    const list = await savedList(bob);
    expect(list.saved.map((s) => s.message.body)).toEqual(['the plan as bob knew it']);
    expect(JSON.stringify(list)).not.toMatch(/rewritten|first here|will recall/);
    // The same answer a direct read gives: he may not read the message he lost any more.
    expect((await api(server, 'GET', `/messages/${lost.id}`, undefined, bob.token)).status).toBe(404);
    expect((await ok<Message>('GET', `/messages/${plan.id}`, bob)).body).toBe('the plan as bob knew it');

    // Nobody saves what they cannot read, and the answer is the one for a message that does not exist.
    const secret = await send(alice, g.id, 'for the group only');
    const refused = await api(server, 'PUT', `/messages/${secret.id}/saved`, undefined, eve.token);
    expect(refused).toEqual(await api(server, 'PUT', `/messages/${'0'.repeat(26)}/saved`, undefined, eve.token));
    expect(refused.status).toBe(404);
    expect((await api(server, 'PUT', `/messages/${secret.id}/saved`, undefined, bob.token)).status).toBe(404);
    expect(await savedRows(secret.id)).toEqual([]);
    expect(await savedBodies(eve)).toEqual([]);
  });

  test('a burn-after-reading message cannot be saved; a token without the post scope cannot save', async () => {
    const [alice, bob] = [await registerUser(server), await registerUser(server)];
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const burn = await ok<Message>('POST', `/conversations/${dm.id}/messages`, alice, { client_msg_id: randomUUID(), body: 'the vault code', burn_after: '1m' });
    const refused = await api(server, 'PUT', `/messages/${burn.id}/saved`, undefined, bob.token);
    expect(refused.status).toBe(409);
    expect(await savedRows(burn.id)).toEqual([]);

    const plain = await send(alice, dm.id, 'lunch at noon');
    const reader = await ok<{ token: string }>('POST', '/tokens', bob, { name: 'reader', scopes: ['read'] });
    const asReader = await api(server, 'PUT', `/messages/${plain.id}/saved`, undefined, reader.token);
    expect(asReader.status).toBe(403);
    expect(asReader.body).toMatchObject({ error: { code: 'forbidden' } });
    expect((await api(server, 'GET', '/me/saved', undefined, reader.token)).status).toBe(200);
  });
});
