/**
 * Retention, path by path. A channel under a one-day policy, messages backdated past it (with an
 * edit, a mention, a reaction, a tag, a pin, a saved entry, a file and a thread reply), and a
 * recent one. Before the sweep every path serves them; after it, none does: REST and socket
 * history, single message and edits (404), threads, search, resync replays (the old
 * `message.created` carries nothing), the conversation list's last message and sync, pins, saved
 * and file downloads. One `messages.expired` event per batch, once, however many sweepers run.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Conversation, EventsPage, HistoryPage, LogEvent, Message, MessagesExpiredEvent, PinsPage, SavedPage, SearchPage, WorkspaceSettings } from '@parley/protocol';
import type { Deps } from '../core/context.js';
import { api, createConversation, errorCode, registerUser, SocketClient, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { uploadFile } from '../testing/files.js';
import { RetentionSweeper } from './retention.js';

const DAY = 86_400_000;
let server: TestServer;
let owner: TestUser;
const sockets: SocketClient[] = [];

beforeAll(async () => {
  server = await startServer({});
  owner = await registerUser(server); // the workspace owner; the users below are plain members
});

afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await server.stop();
});

async function connect(u: TestUser): Promise<SocketClient> {
  const s = await SocketClient.connect(server, u.token);
  sockets.push(s);
  return s;
}

const deps = (): Deps => server.parley.services.deps;
const sweeper = () => server.parley.services.messages.retention;

/** Moves messages `days` into the past, as if they were sent then. */
async function backdate(ids: string[], days: number): Promise<void> {
  await deps()
    .db.updateTable('messages')
    .set((eb) => ({ created_at: eb('created_at', '-', days * DAY) }))
    .where('id', 'in', ids)
    .execute();
}

const search = (q: string, u: TestUser) => api<SearchPage>(server, 'GET', `/search?q=${encodeURIComponent(q)}`, undefined, u.token);
const fileGet = (id: string, u: TestUser) => fetch(`${server.url}/api/v1/files/${id}`, { headers: { authorization: `Bearer ${u.token}` } });

describe('a channel under a one-day policy', () => {
  test('messages past it are served before the sweep and on no path after it; newer ones stay', async () => {
    const SECRET = `retired-secret-${randomUUID()}`;
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const channel = await createConversation(server, alice.token, { kind: 'channel', name: `ret-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: [bob.user.id] });
    const a = await connect(alice);
    const b = await connect(bob);

    const file = await uploadFile(server, alice, Buffer.from(`${SECRET} in a file\n`), 'notes.txt');
    const old = await a.request('message.send', { conv_id: channel.id, client_msg_id: randomUUID(), body: `@${bob.user.username} ${SECRET} draft #plans`, attachments: [file] });
    await a.request('message.edit', { message_id: old.id, body: `@${bob.user.username} ${SECRET} final #plans` });
    await b.request('reaction.add', { message_id: old.id, emoji: '👍' });
    const oldReply = await b.request('message.send', { conv_id: channel.id, client_msg_id: randomUUID(), body: `re: ${SECRET}`, reply_to: old.id });
    expect((await api(server, 'POST', `/messages/${old.id}/pin`, undefined, alice.token)).status).toBe(200);
    expect((await api(server, 'PUT', `/messages/${old.id}/saved`, undefined, bob.token)).status).toBe(200);
    const recent = await a.request('message.send', { conv_id: channel.id, client_msg_id: randomUUID(), body: 'still within the policy' });
    await backdate([old.id, oldReply.id], 2);

    // The policy: the channel's own, set by a workspace owner.
    const set = await api<Conversation>(server, 'PUT', `/conversations/${channel.id}/retention`, { days: 1 }, owner.token);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.retention_days).toBe(1);
    expect((await api<Conversation>(server, 'GET', `/conversations/${channel.id}`, undefined, alice.token)).body.retention_days).toBe(1);

    // Before the sweep: all there (search once the index caught up).
    const before = await api<HistoryPage>(server, 'GET', `/conversations/${channel.id}/messages`, undefined, bob.token);
    expect(before.body.messages.map((m) => m.id)).toEqual([old.id, oldReply.id, recent.id]);
    await expect.poll(async () => (await search(SECRET, bob)).body.hits.map((h) => h.message.id), { timeout: 10_000 }).toContain(old.id);
    expect((await fileGet(file, bob)).status).toBe(200);

    const erased = await sweeper().sweep();
    expect(erased).toBe(2);
    const live = await b.waitFor<MessagesExpiredEvent>((e) => e.type === 'messages.expired' && e.conv_id === channel.id);
    expect(live).toMatchObject({ up_to_seq: oldReply.seq, count: 2 });
    // A second pass finds nothing left to do and says nothing.
    expect(await sweeper().sweep()).toBe(0);

    const seen: unknown[] = [];
    const keep = <T>(x: T): T => {
      seen.push(x);
      return x;
    };
    for (const [u, s] of [
      [alice, a],
      [bob, b],
    ] as const) {
      // History, REST and socket: only the recent message.
      expect(keep(await api<HistoryPage>(server, 'GET', `/conversations/${channel.id}/messages`, undefined, u.token)).body.messages.map((m) => m.id)).toEqual([recent.id]);
      expect(keep(await s.request('history', { conv_id: channel.id, after_seq: 0 })).messages.map((m) => m.id)).toEqual([recent.id]);
      // The message itself, its edits and its thread: as for an id that does not exist.
      for (const p of [`/messages/${old.id}`, `/messages/${oldReply.id}`, `/messages/${old.id}/edits`, `/messages/${old.id}/thread`, `/messages/${oldReply.id}/thread`]) {
        expect((await api(server, 'GET', p, undefined, u.token)).status, p).toBe(404);
      }
      expect(await errorCode(s.request('message.get', { message_id: old.id }))).toBe('not_found');
      // Resync replays, socket and REST: the old message.created is still in the log, carrying nothing.
      const replay = keep(await s.request('sync.events', { conv_id: channel.id, after_seq: 0 }));
      const rest = keep(await api<EventsPage>(server, 'GET', `/conversations/${channel.id}/events?after_seq=0`, undefined, u.token)).body;
      for (const events of [replay.events, rest.events]) {
        const created = events.find((e): e is Extract<LogEvent, { type: 'message.created' }> => e.type === 'message.created' && e.message.id === old.id);
        expect(created?.message).toMatchObject({ body: '', attachments: [], tags: [], mentions: [], reactions: [], pinned_at: null });
        expect(events.find((e) => e.type === 'messages.expired')).toMatchObject({ up_to_seq: oldReply.seq, count: 2 });
      }
      // The conversation list's last message and sync: the recent one.
      const list = keep(await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, u.token)).body.conversations;
      expect(list.find((c) => c.id === channel.id)?.last_message?.id).toBe(recent.id);
      expect(keep(await s.request('conversation.get', { conv_id: channel.id })).last_message?.id).toBe(recent.id);
      expect(keep(await s.request('sync', { cursors: { [channel.id]: 0 } })).conversations.find((c) => c.id === channel.id)?.last_message?.id).toBe(recent.id);
      // Pins, saved, the file.
      expect(keep(await api<PinsPage>(server, 'GET', `/conversations/${channel.id}/pins`, undefined, u.token)).body.pins).toEqual([]);
      expect(keep(await api<SavedPage>(server, 'GET', '/me/saved', undefined, u.token)).body.saved).toEqual([]);
      expect((await fileGet(file, u)).status).toBe(404);
    }
    // Search: the index lets go of it (the embedded one asynchronously), and filters do not list it.
    await expect.poll(async () => (await search(SECRET, bob)).body.hits.length, { timeout: 10_000 }).toBe(0);
    for (const q of [`from:${alice.user.username}`, '#plans', 'has:file']) {
      const r = keep(await search(q, bob)).body;
      expect(
        r.hits.map((h) => h.message.id),
        q,
      ).not.toContain(old.id);
    }
    // An expired message takes no edit, reaction or reply.
    expect(await errorCode(a.request('message.edit', { message_id: old.id, body: `${SECRET} back` }))).toBe('not_found');
    expect(await errorCode(b.request('reaction.add', { message_id: old.id, emoji: '🔥' }))).toBe('not_found');
    // And every event pushed since the sweep.
    const since = (s: SocketClient) => s.events.slice(s.events.findIndex((e) => e.type === 'messages.expired'));
    seen.push(since(a), since(b));
    expect(JSON.stringify(seen)).not.toContain(SECRET);
  }, 60_000);

  test('the workspace setting applies to conversations without their own; a conversation may keep longer or inherit again', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id], name: 'keeps' });
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const inGroup = await api<Message>(server, 'POST', `/conversations/${group.id}/messages`, { client_msg_id: randomUUID(), body: 'group, 10 days ago' }, alice.token);
    const inDm = await api<Message>(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: randomUUID(), body: 'dm, 10 days ago' }, alice.token);
    await backdate([inGroup.body.id, inDm.body.id], 10);
    const bobLive = await SocketClient.connect(server, bob.token);
    sockets.push(bobLive);
    // The group keeps 30 days (set before the workspace's 7 comes in).
    const g = await api<Conversation>(server, 'PUT', `/conversations/${group.id}/retention`, { days: 30 }, owner.token);
    expect(g.status).toBe(200);
    expect(g.body.retention_days).toBe(30);
    // Its members hear of it at once, as a log event (their clients show a line), not at their next read.
    const told = await bobLive.waitFor((e) => e.type === 'conversation.updated' && e.conv_id === group.id);
    expect(told.type === 'conversation.updated' && told.changes).toEqual({ retention_days: 30 });
    expect(g.body.last_seq).toBe(told.type === 'conversation.updated' ? told.seq : -1);
    // A device that was away reads it in the log.
    const replay = await api<EventsPage>(server, 'GET', `/conversations/${group.id}/events?after_seq=0`, undefined, bob.token);
    expect(replay.body.events.filter((e) => e.type === 'conversation.updated').map((e) => (e.type === 'conversation.updated' ? e.changes : null))).toEqual([{ retention_days: 30 }]);
    // The owner is not in the DM: it stays a 404 to them, as everywhere else.
    expect((await api(server, 'PUT', `/conversations/${dm.id}/retention`, { days: 30 }, owner.token)).status).toBe(404);
    const ws = await api<WorkspaceSettings>(server, 'PATCH', '/admin/settings', { retention_days: 7 }, owner.token);
    expect(ws.status).toBe(200);
    expect(ws.body.retention_days).toBe(7);
    try {
      await sweeper().sweep();
      expect((await api(server, 'GET', `/messages/${inDm.body.id}`, undefined, bob.token)).status).toBe(404);
      expect((await api(server, 'GET', `/messages/${inGroup.body.id}`, undefined, bob.token)).status).toBe(200);
      // Back to the workspace's: the group's message goes at the next sweep.
      const back = await api<Conversation>(server, 'PUT', `/conversations/${group.id}/retention`, { days: null }, owner.token);
      expect(back.body.retention_days).toBeNull();
      const inherited = await bobLive.waitFor((e) => e.type === 'conversation.updated' && e.conv_id === group.id && e.changes.retention_days === null);
      expect(inherited.type === 'conversation.updated' && inherited.changes).toEqual({ retention_days: null });
      // Setting what is already set says nothing.
      const events = bobLive.events.length;
      await api(server, 'PUT', `/conversations/${group.id}/retention`, { days: null }, owner.token);
      expect((await api<Conversation>(server, 'GET', `/conversations/${group.id}`, undefined, bob.token)).body.last_seq).toBe(inherited.type === 'conversation.updated' ? inherited.seq : -1);
      expect(bobLive.events.length).toBe(events);
      await sweeper().sweep();
      expect((await api(server, 'GET', `/messages/${inGroup.body.id}`, undefined, bob.token)).status).toBe(404);
      // Both changes are audited.
      const audit = await api<{ entries: { action: string; target: string | null }[] }>(server, 'GET', '/admin/audit?limit=50', undefined, owner.token);
      expect(audit.body.entries.filter((e) => e.action === 'conversation.retention_changed' && e.target === group.id)).toHaveLength(2);
      expect(audit.body.entries.some((e) => e.action === 'settings.changed' && e.target === 'retention_days')).toBe(true);
    } finally {
      await api(server, 'PATCH', '/admin/settings', { retention_days: null }, owner.token);
    }
  });
});

describe('who may set a policy', () => {
  test("a channel's owner who is not a workspace admin, its members and outsiders are refused; bad values are 400", async () => {
    const carol = await registerUser(server); // creates the channel: its owner, a plain workspace member
    const dave = await registerUser(server);
    const eve = await registerUser(server); // not in it
    const channel = await createConversation(server, carol.token, { kind: 'channel', name: `pol-${randomUUID().slice(0, 8)}`, visibility: 'public', member_ids: [dave.user.id] });
    for (const u of [carol, dave, eve]) {
      const r = await api<{ error: { code: string } }>(server, 'PUT', `/conversations/${channel.id}/retention`, { days: 1 }, u.token);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
      expect((await api(server, 'PATCH', '/admin/settings', { retention_days: 1 }, u.token)).status).toBe(403);
    }
    for (const days of [0, 36_501, 1.5, '30']) {
      expect((await api(server, 'PUT', `/conversations/${channel.id}/retention`, { days }, owner.token)).status, String(days)).toBe(400);
      expect((await api(server, 'PATCH', '/admin/settings', { retention_days: days }, owner.token)).status, String(days)).toBe(400);
    }
    expect((await api(server, 'PUT', `/conversations/${channel.id}/retention`, {}, owner.token)).status).toBe(400);
    expect((await api<Conversation>(server, 'GET', `/conversations/${channel.id}`, undefined, carol.token)).body.retention_days).toBeNull();
  });
});

describe('several sweepers', () => {
  test('two sweepers at once erase each message once and publish one event per batch', async () => {
    const alice = await registerUser(server);
    const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [owner.user.id], name: 'race' });
    const a = await connect(alice);
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) ids.push((await a.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: `m${i}` })).id);
    await backdate(ids, 5);
    expect((await api(server, 'PUT', `/conversations/${group.id}/retention`, { days: 1 }, owner.token)).status).toBe(200);
    // A second node's sweeper: the same database and bus.
    const other = new RetentionSweeper(
      deps(),
      server.parley.services.workspace,
      (events) => events.forEach((e) => deps().publisher.logEvent(e)),
      async () => true,
    );
    const [mine, theirs] = await Promise.all([sweeper().sweep(), other.sweep()]);
    expect(mine + theirs).toBe(250);
    const logged = await deps().db.selectFrom('events').select(['seq', 'data']).where('conv_id', '=', group.id).where('type', '=', 'messages.expired').orderBy('seq').execute();
    const batches = logged.map((e) => JSON.parse(e.data) as { up_to_seq: number; count: number });
    expect(batches.reduce((n, e) => n + e.count, 0)).toBe(250);
    expect(batches.map((e) => e.count).sort((x, y) => y - x)).toEqual([200, 50]);
    expect(batches[batches.length - 1]!.up_to_seq).toBe(Math.max(...batches.map((e) => e.up_to_seq)));
    // Live, each batch's event once.
    await a.waitFor((e) => e.type === 'messages.expired' && e.seq === Number(logged[1]!.seq));
    const liveSeqs = a.events.flatMap((e) => (e.type === 'messages.expired' && e.conv_id === group.id ? [e.seq] : []));
    expect(liveSeqs).toEqual(logged.map((e) => Number(e.seq)));
    const left = await deps().db.selectFrom('messages').select('id').where('conv_id', '=', group.id).where('expired_at', 'is', null).execute();
    expect(left).toEqual([]);
  }, 60_000);
});

describe('sweeps over time', () => {
  test('a later sweep erases the messages that came due since, after the expired ones, and only those', async () => {
    const alice = await registerUser(server);
    const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [owner.user.id], name: 'later' });
    const a = await connect(alice);
    const sent: { id: string; seq: number }[] = [];
    for (let i = 0; i < 9; i++) sent.push(await a.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: `m${i}` }));
    const ids = sent.map((m) => m.id);
    // Three are five days old, three two days old, three new; the policy keeps three days.
    await backdate(ids.slice(0, 3), 5);
    await backdate(ids.slice(3, 6), 2);
    expect((await api(server, 'PUT', `/conversations/${group.id}/retention`, { days: 3 }, owner.token)).status).toBe(200);
    expect(await sweeper().sweep()).toBe(3);
    // Time passes: the middle three are now past the policy as well.
    await backdate(ids.slice(3, 6), 2);
    expect(await sweeper().sweep()).toBe(3);
    const logged = await deps().db.selectFrom('events').select('data').where('conv_id', '=', group.id).where('type', '=', 'messages.expired').orderBy('seq').execute();
    expect(logged.map((e) => JSON.parse(e.data) as unknown)).toEqual([
      { up_to_seq: sent[2]!.seq, count: 3 },
      { up_to_seq: sent[5]!.seq, count: 3 },
    ]);
    const history = await api<HistoryPage>(server, 'GET', `/conversations/${group.id}/messages?after_seq=0`, undefined, alice.token);
    expect(history.body.messages.map((m) => m.id)).toEqual(ids.slice(6));
    expect(await sweeper().sweep()).toBe(0);
  });
});

describe('counts after a sweep', () => {
  test('unread and mention counts and the last message leave expired messages out, in the list, for one conversation and in sync', async () => {
    const carol = await registerUser(server);
    const dave = await registerUser(server);
    const kept = await createConversation(server, dave.token, { kind: 'group', member_ids: [carol.user.id], name: 'partly expired' });
    const gone = await createConversation(server, dave.token, { kind: 'group', member_ids: [carol.user.id], name: 'wholly expired' });
    const d = await connect(dave);
    const c = await connect(carol);
    const send = async (conv: string, body: string) => (await d.request('message.send', { conv_id: conv, client_msg_id: randomUUID(), body })).id;
    const old = [await send(kept.id, `@${carol.user.username} old`), await send(kept.id, 'old'), await send(kept.id, 'old')];
    const recent = [await send(kept.id, 'new'), await send(kept.id, `@${carol.user.username} new`)];
    const allOld = [await send(gone.id, `@${carol.user.username} old`), await send(gone.id, 'old')];
    await backdate([...old, ...allOld], 5);

    const view = async () => {
      const list = (await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, carol.token)).body.conversations;
      const synced = (await c.request('sync', { cursors: {} })).conversations;
      return Promise.all(
        [kept, gone].map(async (g) => {
          const one = await c.request('conversation.get', { conv_id: g.id });
          return [list.find((x) => x.id === g.id), one, synced.find((x) => x.id === g.id)].map((x) => [x?.unread_count, x?.mention_count, x?.last_message?.id ?? null]);
        }),
      );
    };
    expect(await view()).toEqual([Array(3).fill([5, 2, recent[1]]), Array(3).fill([2, 1, allOld[1]])]);

    for (const g of [kept, gone]) expect((await api(server, 'PUT', `/conversations/${g.id}/retention`, { days: 3 }, owner.token)).status).toBe(200);
    expect(await sweeper().sweep()).toBe(5);
    expect(await view()).toEqual([Array(3).fill([2, 1, recent[1]]), Array(3).fill([0, 0, null])]);
    // History pages from the start and from the end, and past a cursor inside the expired part.
    const page = async (conv: string, q: string) => (await api<HistoryPage>(server, 'GET', `/conversations/${conv}/messages?${q}`, undefined, carol.token)).body.messages.map((m) => m.id);
    expect(await page(kept.id, 'after_seq=0')).toEqual(recent);
    expect(await page(kept.id, 'limit=10')).toEqual(recent);
    expect(await page(kept.id, 'before_seq=1000')).toEqual(recent);
    expect(await page(gone.id, 'after_seq=0')).toEqual([]);
    expect(await page(gone.id, 'limit=10')).toEqual([]);
  });
});
