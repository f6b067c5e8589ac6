import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { EventsPage, LogEvent, MessageCreatedEvent, SendAck, SyncResult } from '@parley/protocol';
import { SocketClient, api, createConversation, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

/** Pulls every event after `after` with sync.events pages of `limit`; returns the events and the pages' shapes. */
async function pullAll(s: SocketClient, convId: string, after: number, limit: number): Promise<{ events: LogEvent[]; pages: { n: number; has_more: boolean }[]; last_seq: number }> {
  const events: LogEvent[] = [];
  const pages: { n: number; has_more: boolean }[] = [];
  let cursor = after;
  let last = 0;
  for (let guard = 0; guard < 100; guard++) {
    const page: EventsPage = await s.request('sync.events', { conv_id: convId, after_seq: cursor, limit });
    expect(page.conv_id).toBe(convId);
    expect(page.events.length).toBeLessThanOrEqual(limit);
    pages.push({ n: page.events.length, has_more: page.has_more });
    events.push(...page.events);
    last = page.last_seq;
    if (!page.has_more) break;
    cursor = page.events[page.events.length - 1]!.seq;
  }
  return { events, pages, last_seq: last };
}

describe('resync after a disconnect', () => {
  test('a client that was away pulls exactly the 50 messages it missed, in order, once, through paged sync.events', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const carol = await registerUser(server);
    const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id, carol.user.id] });
    const quiet = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const c = await connect(carol);

    // Bob is live and sees a first message; he remembers the last seq he applied.
    const bobFirst = await SocketClient.connect(server, bob.token);
    const warm = await a.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'before the tunnel' });
    const seen = await bobFirst.waitFor<MessageCreatedEvent>((e) => e.type === 'message.created' && e.message.id === warm.id);
    const lastSeqSeen = seen.seq;
    const quietSeq = (await bobFirst.request('conversation.get', { conv_id: quiet.id })).last_seq;
    await bobFirst.close();

    // While bob is gone, alice and carol send 50 messages, interleaved.
    const missed: SendAck[] = [];
    const sendN = (s: SocketClient, who: string, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => s.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: `${who} #${i}` })));
    const [fromA, fromC] = await Promise.all([sendN(a, 'alice', 25), sendN(c, 'carol', 25)]);
    missed.push(...fromA, ...fromC);
    missed.sort((x, y) => x.seq - y.seq);
    expect(missed.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => lastSeqSeen + 1 + i));

    // Bob comes back on a new socket and asks what moved.
    const b = await connect(bob);
    const sync: SyncResult = await b.request('sync', { cursors: { [group.id]: lastSeqSeen, [quiet.id]: quietSeq } });
    expect(sync.removed).toEqual([]);
    expect(sync.conversations.map((x) => x.id)).toEqual([group.id]);
    expect(sync.conversations[0]!.last_seq).toBe(lastSeqSeen + 50);
    expect(sync.conversations[0]!.unread_count).toBe(51);

    const pulled = await pullAll(b, group.id, lastSeqSeen, 20);
    expect(pulled.pages).toEqual([
      { n: 20, has_more: true },
      { n: 20, has_more: true },
      { n: 10, has_more: false },
    ]);
    expect(pulled.last_seq).toBe(lastSeqSeen + 50);
    const created = pulled.events.filter((e): e is MessageCreatedEvent => e.type === 'message.created');
    expect(pulled.events).toHaveLength(50);
    expect(created.map((e) => e.message.id)).toEqual(missed.map((m) => m.id));
    expect(created.map((e) => e.seq)).toEqual(missed.map((m) => m.seq));
    expect(created.map((e) => e.message.body)).toEqual(missed.map((m) => m.message.body));
    // Nothing was pushed twice over the new socket while it resynced.
    expect(b.events.filter((e) => e.type === 'message.created')).toEqual([]);

    // Now in sync: nothing moved, and the next live message continues right after.
    expect((await b.request('sync', { cursors: { [group.id]: lastSeqSeen + 50, [quiet.id]: quietSeq } })).conversations).toEqual([]);
    const next = await a.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'welcome back' });
    const live = await b.waitFor<MessageCreatedEvent>((e) => e.type === 'message.created' && e.message.id === next.id);
    expect(live.seq).toBe(lastSeqSeen + 51);
  });

  test('the REST events endpoint pages the same way as the socket', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const acks: SendAck[] = [];
    for (let i = 0; i < 25; i++) acks.push(await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: `n${i}` }));
    const after = acks[0]!.seq - 1;

    const ids: string[] = [];
    let cursor = after;
    const shape: boolean[] = [];
    for (;;) {
      const res = await api<EventsPage>(server, 'GET', `/conversations/${dm.id}/events?after_seq=${cursor}&limit=10`, undefined, bob.token);
      expect(res.status).toBe(200);
      for (const e of res.body.events) if (e.type === 'message.created') ids.push(e.message.id);
      shape.push(res.body.has_more);
      if (!res.body.has_more) break;
      cursor = res.body.events[res.body.events.length - 1]!.seq;
    }
    expect(shape).toEqual([true, true, false]);
    expect(ids).toEqual(acks.map((x) => x.id));
  });

  test('sync reports conversations the client does not know yet and ones it can no longer see', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const b = await connect(bob);
    const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
    const made = await api<{ id: string }>(server, 'POST', '/conversations', { kind: 'group', member_ids: [alice.user.id] }, alice.token);
    const notMine = made.body.id; // a real conversation bob is not in
    const res = await b.request('sync', { cursors: { [notMine]: 0 } });
    expect(res.conversations.map((x) => x.id)).toContain(group.id);
    expect(res.conversations.map((x) => x.id)).not.toContain(notMine);
    expect(res.removed).toEqual([notMine]);
  });
});
