/**
 * Pins as members use them and an outsider probes them: pinning and unpinning are log events,
 * pushed live and replayed by `sync.events` with the message as it is now; every path (REST, the
 * socket, history, one message, the pins list) agrees; who may unpin is held; the pins list keeps
 * to the reader's visible range exactly as history does (a `since_join` member, a member who left,
 * an outsider); a burn-after-reading message is never pinned, a recalled one loses its pin, and an
 * archived conversation's pins are frozen.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { EventsPage, HistoryPage, LogEvent, Message, MessagePinnedEvent, PinsPage, ServerEvent } from '@parley/protocol';
import { api, createConversation, errorCode, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

const pinnedOn =
  (id: string, op?: 'add' | 'remove') =>
  (e: ServerEvent): e is MessagePinnedEvent =>
    e.type === 'message.pinned' && e.message.id === id && (op === undefined || e.op === op);

async function ok<T>(method: string, route: string, u: TestUser, body?: unknown): Promise<T> {
  const res = await api<T>(server, method, route, body, u.token);
  expect(res.status, `${method} ${route}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}
const send = (u: TestUser, convId: string, body: string) => ok<Message>('POST', `/conversations/${convId}/messages`, u, { client_msg_id: randomUUID(), body });
const pins = (u: TestUser, convId: string, q = '') => api<PinsPage>(server, 'GET', `/conversations/${convId}/pins${q}`, undefined, u.token);
const pinnedIds = async (u: TestUser, convId: string) => {
  const res = await pins(u, convId);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.pins.map((p) => p.message.id);
};
const messagesIn = (events: LogEvent[], id: string) => events.flatMap((e) => ('message' in e && e.message.id === id ? [e.message] : []));

async function team() {
  const [alice, bob, carol, eve] = await Promise.all([registerUser(server), registerUser(server), registerUser(server), registerUser(server)]);
  const conv = await createConversation(server, alice.token, { kind: 'channel', name: `pins-${randomUUID().slice(0, 6)}`, visibility: 'private', member_ids: [bob.user.id, carol.user.id] });
  return { alice, bob, carol, eve, conv };
}

describe('pins', () => {
  test('a pin is a log event: pushed live, replayed by sync.events, shown on every path; pinning twice is one event', async () => {
    const { alice, bob, conv } = await team();
    const a = await connect(alice);
    const b = await connect(bob);
    const msg = await send(alice, conv.id, 'we ship on Friday');
    expect(msg.pinned_at).toBeNull();

    const pinned = await b.request('pin.add', { message_id: msg.id });
    expect(pinned.pinned_by).toBe(bob.user.id);
    expect(Date.parse(pinned.pinned_at!)).toBeGreaterThan(0);
    const live = await a.waitFor<MessagePinnedEvent>(pinnedOn(msg.id, 'add'));
    expect(live).toMatchObject({ actor_id: bob.user.id, conv_id: conv.id, op: 'add' });
    expect(live.message).toMatchObject({ pinned_by: bob.user.id, pinned_at: pinned.pinned_at, body: 'we ship on Friday' });
    // Pinned again, over REST this time: nothing changes, no second event.
    expect((await ok<Message>('POST', `/messages/${msg.id}/pin`, alice)).pinned_by).toBe(bob.user.id);

    // Every read path shows the pin.
    expect((await ok<Message>('GET', `/messages/${msg.id}`, alice)).pinned_at).toBe(pinned.pinned_at);
    const hist = await ok<HistoryPage>('GET', `/conversations/${conv.id}/messages`, alice);
    expect(hist.messages.find((m) => m.id === msg.id)).toMatchObject({ pinned_at: pinned.pinned_at, pinned_by: bob.user.id });
    const list = await ok<PinsPage>('GET', `/conversations/${conv.id}/pins`, alice);
    expect(list.has_more).toBe(false);
    expect(list.pins).toEqual([{ seq: live.seq, pinned_at: pinned.pinned_at, pinned_by: bob.user.id, message: expect.objectContaining({ id: msg.id, pinned_by: bob.user.id }) }]);

    // Unpinned over the socket; the replay carries the message as it is now on every event.
    await a.request('pin.remove', { message_id: msg.id });
    const off = await b.waitFor<MessagePinnedEvent>(pinnedOn(msg.id, 'remove'));
    expect(off.actor_id).toBe(alice.user.id);
    expect(off.message).toMatchObject({ pinned_at: null, pinned_by: null });
    expect(await pinnedIds(bob, conv.id)).toEqual([]);
    const page = await b.request('sync.events', { conv_id: conv.id, after_seq: 0, limit: 100 });
    const replayed = page.events.filter((e) => 'message' in e && e.message.id === msg.id);
    expect(replayed.map((e) => [e.type, 'op' in e ? e.op : null])).toEqual([
      ['message.created', null],
      ['message.pinned', 'add'],
      ['message.pinned', 'remove'],
    ]);
    for (const m of messagesIn(page.events, msg.id)) expect(m).toMatchObject({ pinned_at: null, pinned_by: null });
    expect(a.events.filter(pinnedOn(msg.id))).toHaveLength(2);
    // Unpinning what is not pinned changes nothing either.
    expect((await ok<Message>('DELETE', `/messages/${msg.id}/pin`, bob)).pinned_at).toBeNull();
    expect((await b.request('sync.events', { conv_id: conv.id, after_seq: 0, limit: 100 })).last_seq).toBe(page.last_seq);
  });

  test('whoever pinned unpins, and so do admins; another member may not; in a DM either side may', async () => {
    const { alice, bob, carol, conv } = await team();
    const msg = await send(carol, conv.id, 'the runbook is in the wiki');
    await ok('POST', `/messages/${msg.id}/pin`, bob);
    // Carol sent the message but did not pin it, and is no admin.
    const refused = await api(server, 'DELETE', `/messages/${msg.id}/pin`, undefined, carol.token);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'forbidden' } });
    expect(await pinnedIds(alice, conv.id)).toEqual([msg.id]);
    // Alice created the channel: its owner unpins anyone's pin.
    expect((await ok<Message>('DELETE', `/messages/${msg.id}/pin`, alice)).pinned_at).toBeNull();
    await ok('POST', `/messages/${msg.id}/pin`, carol);
    expect((await ok<Message>('DELETE', `/messages/${msg.id}/pin`, carol)).pinned_at).toBeNull();

    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const note = await send(alice, dm.id, 'my flight lands at 9');
    await ok('POST', `/messages/${note.id}/pin`, alice);
    expect((await ok<Message>('DELETE', `/messages/${note.id}/pin`, bob)).pinned_at).toBeNull();
  });

  test('pins list newest pin first and page back with before_seq', async () => {
    const { alice, conv } = await team();
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await send(alice, conv.id, `decision ${i}`));
    for (const i of [2, 0, 4, 1, 3]) await ok('POST', `/messages/${sent[i]!.id}/pin`, alice);
    const first = await ok<PinsPage>('GET', `/conversations/${conv.id}/pins?limit=2`, alice);
    expect(first.pins.map((p) => p.message.body)).toEqual(['decision 3', 'decision 1']);
    expect(first.has_more).toBe(true);
    const next = await ok<PinsPage>('GET', `/conversations/${conv.id}/pins?limit=2&before_seq=${first.pins[1]!.seq}`, alice);
    expect(next.pins.map((p) => p.message.body)).toEqual(['decision 4', 'decision 0']);
    const last = await ok<PinsPage>('GET', `/conversations/${conv.id}/pins?limit=2&before_seq=${next.pins[1]!.seq}`, alice);
    expect(last).toMatchObject({ pins: [expect.objectContaining({ message: expect.objectContaining({ body: 'decision 2' }) })], has_more: false });
  });

  test('a since_join member sees no pin of a message from before they joined, on any path', async () => {
    const [alice, dave] = [await registerUser(server), await registerUser(server)];
    const pub = await createConversation(server, alice.token, { kind: 'channel', name: `pins-pub-${randomUUID().slice(0, 6)}`, visibility: 'public', history_visibility: 'since_join' });
    const old = await send(alice, pub.id, 'the old plan, before dave');
    await ok('POST', `/messages/${old.id}/pin`, alice);
    await ok('POST', `/conversations/${pub.id}/join`, dave);
    const d = await connect(dave);
    const fresh = await send(alice, pub.id, 'the new plan');
    await ok('POST', `/messages/${fresh.id}/pin`, alice);
    await d.waitFor(pinnedOn(fresh.id, 'add'));

    expect(await pinnedIds(dave, pub.id)).toEqual([fresh.id]);
    expect(await pinnedIds(alice, pub.id)).toEqual([fresh.id, old.id]);
    // Unpinned while dave is there: dave learns the log moved (a `hidden` event), nothing more.
    const hiddenBefore = d.events.filter((e) => e.type === 'hidden').length;
    await ok('DELETE', `/messages/${old.id}/pin`, alice);
    await d.waitForCount((e) => e.type === 'hidden' && e.conv_id === pub.id, hiddenBefore + 1);
    expect(d.events.filter((e) => 'message' in e && e.message.id === old.id)).toEqual([]);
    const page = await ok<EventsPage>('GET', `/conversations/${pub.id}/events?after_seq=0`, dave);
    expect(messagesIn(page.events, old.id)).toEqual([]);
    expect(JSON.stringify(page)).not.toContain('the old plan');
    // Nor can he pin it: for him it does not exist.
    expect((await api(server, 'POST', `/messages/${old.id}/pin`, undefined, dave.token)).status).toBe(404);
    expect(await errorCode(d.request('pin.add', { message_id: old.id }))).toBe('not_found');
  });

  test('a member who left sees the pins as they were when they left, on the list and on the messages', async () => {
    const [alice, bob] = [await registerUser(server), await registerUser(server)];
    const g = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
    const kept = await send(alice, g.id, 'pinned before bob left, unpinned after');
    const later = await send(alice, g.id, 'pinned only after bob left');
    const stays = await send(alice, g.id, 'pinned before bob left, still pinned');
    await ok('POST', `/messages/${kept.id}/pin`, alice);
    const stayPin = await ok<Message>('POST', `/messages/${stays.id}/pin`, alice);
    await ok('POST', `/conversations/${g.id}/leave`, bob);
    await ok('DELETE', `/messages/${kept.id}/pin`, alice);
    await ok('POST', `/messages/${later.id}/pin`, alice);
    const after = await send(alice, g.id, 'written after bob left');
    await ok('POST', `/messages/${after.id}/pin`, alice);

    expect(await pinnedIds(bob, g.id)).toEqual([stays.id, kept.id]);
    expect(await pinnedIds(alice, g.id)).toEqual([after.id, later.id, stays.id]);
    expect((await ok<Message>('GET', `/messages/${kept.id}`, bob)).pinned_by).toBe(alice.user.id);
    expect((await ok<Message>('GET', `/messages/${later.id}`, bob)).pinned_at).toBeNull();
    expect((await ok<Message>('GET', `/messages/${stays.id}`, bob)).pinned_at).toBe(stayPin.pinned_at);
    const hist = await ok<HistoryPage>('GET', `/conversations/${g.id}/messages`, bob);
    expect(hist.messages.map((m) => [m.id, m.pinned_at !== null])).toEqual([
      [kept.id, true],
      [later.id, false],
      [stays.id, true],
    ]);
    const page = await ok<EventsPage>('GET', `/conversations/${g.id}/events?after_seq=0`, bob);
    expect(page.events.filter((e) => e.type === 'message.pinned').map((e) => 'message' in e && e.message.id)).toEqual([kept.id, stays.id]);
    for (const m of messagesIn(page.events, later.id)) expect(m.pinned_at).toBeNull();
    expect(JSON.stringify(page)).not.toContain('written after bob left');
    // He may not pin any more.
    const refused = await api(server, 'POST', `/messages/${later.id}/pin`, undefined, bob.token);
    expect(refused.body).toMatchObject({ error: { code: 'not_member' } });
  });

  test('an outsider can neither list nor pin nor unpin, on REST or the socket, and learns nothing', async () => {
    const { alice, eve, conv } = await team();
    const msg = await send(alice, conv.id, 'secret roadmap');
    await ok('POST', `/messages/${msg.id}/pin`, alice);
    const listed = await pins(eve, conv.id);
    expect(listed.status).toBe(404);
    expect(JSON.stringify(listed.body)).not.toContain('secret');
    expect((await api(server, 'POST', `/messages/${msg.id}/pin`, undefined, eve.token)).status).toBe(404);
    expect((await api(server, 'DELETE', `/messages/${msg.id}/pin`, undefined, eve.token)).status).toBe(404);
    const e = await connect(eve);
    expect(await errorCode(e.request('pin.remove', { message_id: msg.id }))).toBe('not_found');
    expect(await pinnedIds(alice, conv.id)).toEqual([msg.id]);
    // A public channel's outsider is told to join first, as history tells them.
    const pub = await createConversation(server, alice.token, { kind: 'channel', name: `pins-open-${randomUUID().slice(0, 6)}`, visibility: 'public' });
    expect((await pins(eve, pub.id)).body).toMatchObject({ error: { code: 'not_member' } });
    expect((await api(server, 'GET', `/conversations/${pub.id}/messages`, undefined, eve.token)).body).toMatchObject({ error: { code: 'not_member' } });
  });

  test('a burn-after-reading message is never pinned; a recalled message loses its pin; an archived conversation’s pins are frozen', async () => {
    const { alice, bob, conv } = await team();
    const burn = await ok<Message>('POST', `/conversations/${conv.id}/messages`, alice, { client_msg_id: randomUUID(), body: 'the door code', burn_after: '1m' });
    const refused = await api(server, 'POST', `/messages/${burn.id}/pin`, undefined, bob.token);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'conflict' } });
    expect(await pinnedIds(bob, conv.id)).toEqual([]);

    const b = await connect(bob);
    const msg = await send(alice, conv.id, 'to be recalled');
    await ok('POST', `/messages/${msg.id}/pin`, bob);
    await ok('DELETE', `/messages/${msg.id}`, alice);
    const recalled = await b.waitFor((e) => e.type === 'message.recalled' && e.message.id === msg.id);
    expect('message' in recalled && recalled.message).toMatchObject({ recalled: true, pinned_at: null, pinned_by: null });
    expect(await pinnedIds(bob, conv.id)).toEqual([]);
    expect((await ok<Message>('GET', `/messages/${msg.id}`, bob)).pinned_at).toBeNull();
    const rows = await server.parley.storage.db.selectFrom('message_pins').select('message_id').where('message_id', '=', msg.id).execute();
    expect(rows).toEqual([]);
    expect((await api(server, 'POST', `/messages/${msg.id}/pin`, undefined, bob.token)).status).toBe(409);

    const frozen = await send(alice, conv.id, 'pinned before the archive');
    await ok('POST', `/messages/${frozen.id}/pin`, bob);
    const other = await send(alice, conv.id, 'not pinned');
    await ok('PATCH', `/conversations/${conv.id}`, alice, { archived: true });
    for (const [method, id, who] of [
      ['POST', other.id, alice],
      ['DELETE', frozen.id, alice],
      ['DELETE', frozen.id, bob],
    ] as const) {
      const res = await api(server, method, `/messages/${id}/pin`, undefined, who.token);
      expect(res.body, `${method} by ${who.user.username}`).toMatchObject({ error: { code: 'conversation_archived' } });
    }
    expect(await pinnedIds(bob, conv.id)).toEqual([frozen.id]);
  });
});
