import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import pino from 'pino';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { Conversation, Message } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { Publisher } from '../bus/publisher.js';
import { SyncService } from '../sync/service.js';
import { api, createConversation, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';
import { myMemberships } from './access.js';
import { presentConversation, presentConversations } from './presenter.js';
import { ConversationsService } from './service.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

/**
 * Counts every statement Kysely executes through the database it is attached to: built queries
 * and the precompiled ones of store/prepared.ts alike both end in the executor, which hands every
 * result to each plugin's `transformResult`.
 */
class StatementCounter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.count++;
    return args.result;
  }
}

async function ok<T>(method: string, route: string, u: TestUser, body?: unknown): Promise<T> {
  const res = await api<T>(server, method, route, body, u.token);
  expect(res.status, `${method} ${route}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}
const send = (u: TestUser, convId: string, body: string, replyTo?: string) =>
  ok<Message>('POST', `/conversations/${convId}/messages`, u, { client_msg_id: randomUUID(), body, ...(replyTo ? { reply_to: replyTo } : {}) });

/**
 * One of each situation the list presents differently, all for `me`: a DM with unread messages
 * and a mention, a group with a read cursor and a thread reply that mentions me, a since_join
 * channel, and a channel I left after which its last message was edited, reacted to and replied
 * to and the channel renamed (so the list must rewind all of that). Every kit adds the same kinds
 * of rows, so the queries any one kind costs are paid by the small list and the large one alike.
 */
async function addKit(me: TestUser, k: number): Promise<void> {
  const other = await registerUser(server);
  const mention = `@${me.user.username}`;
  const dm = await createConversation(server, other.token, { kind: 'dm', user_id: me.user.id });
  await send(other, dm.id, `hello ${mention}`);
  await send(other, dm.id, 'are you there?');

  const group = await createConversation(server, me.token, { kind: 'group', member_ids: [other.user.id] });
  const root = await send(me, group.id, 'lunch?');
  await send(other, group.id, `yes ${mention}`, root.id);
  const seen = await send(other, group.id, 'where?');
  await send(other, group.id, 'at noon');
  const socket = await connect(me);
  await socket.request('read.mark', { conv_id: group.id, seq: seen.seq });

  const tag = randomUUID().slice(0, 8);
  const later = await createConversation(server, other.token, { kind: 'channel', name: `later-${k}-${tag}`, visibility: 'public', history_visibility: 'since_join' });
  await send(other, later.id, 'before I joined');
  await ok('POST', `/conversations/${later.id}/join`, me);
  await send(other, later.id, `after I joined ${mention}`);

  const left = await createConversation(server, other.token, { kind: 'channel', name: `left-${k}-${tag}`, visibility: 'public', history_visibility: 'full' });
  await ok('POST', `/conversations/${left.id}/join`, me);
  // A different leave seq in every kit, so thread counts are bounded per conversation, not by one seq for all.
  for (let i = 0; i < k; i++) await send(other, left.id, `filler ${i}`);
  const last = await send(other, left.id, 'as I saw it');
  await ok('POST', `/messages/${last.id}/reactions`, other, { emoji: 'thumbsup' });
  await send(me, left.id, 'a reply before I left', last.id);
  await ok('POST', `/conversations/${left.id}/leave`, me);
  await new Promise((r) => setTimeout(r, 5));
  await ok('PATCH', `/messages/${last.id}`, other, { body: 'rewritten after I left' });
  await ok('POST', `/messages/${last.id}/reactions`, other, { emoji: 'eyes' });
  await send(other, left.id, 'a reply after I left', last.id);
  await ok('PATCH', `/conversations/${left.id}`, other, { name: `renamed-${k}-${tag}`, topic: 'later topic' });
}

test('the conversation list, browse and resync cost the same number of queries for 4 conversations as for 24, and show what presentConversation shows', async () => {
  const me = await registerUser(server);
  const counter = new StatementCounter();
  const { parley } = server;
  const deps: Deps = {
    db: parley.storage.db.withPlugin(counter),
    config: parley.config,
    publisher: new Publisher(parley.bus),
    log: pino({ level: 'silent' }),
    now: Date.now,
    sqlite: parley.storage.sqlite,
    sqliteTurn: parley.storage.sqliteTurn,
    sqliteReader: parley.storage.sqliteReader,
    reads: parley.storage.reads,
    pg: parley.storage.pg,
    metrics: parley.metrics,
  };
  const conversations = new ConversationsService(deps, parley.services.audit);
  const sync = new SyncService(deps);
  const actor: Actor = { userId: me.user.id, role: me.user.role, sessionId: me.sessionId, via: 'session' };
  const counted = async <T>(run: () => Promise<T>): Promise<{ queries: number; result: T }> => {
    const before = counter.count;
    const result = await run();
    return { queries: counter.count - before, result };
  };
  const measure = async () => ({
    list: await counted(() => conversations.listMine(actor, true)),
    active: await counted(() => conversations.listMine(actor, false)),
    browse: await counted(() => conversations.browse(actor, '', 1000)),
    sync: await counted(() => sync.sync(actor, {})),
  });

  await addKit(me, 0);
  const small = await measure();
  expect(small.list.result).toHaveLength(4);
  for (let k = 1; k < 6; k++) await addKit(me, k);
  const large = await measure();
  expect(large.list.result).toHaveLength(24);
  expect(large.active.result).toHaveLength(18);
  expect(large.sync.result.conversations).toHaveLength(18);

  // The point: six times the conversations, not one query more.
  expect(large.list.queries).toBe(small.list.queries);
  expect(large.active.queries).toBe(small.active.queries);
  expect(large.browse.queries).toBe(small.browse.queries);
  expect(large.sync.queries).toBe(small.sync.queries);
  // And few: the membership list, the batch read, the left conversations' changes, then the last
  // messages' reactions and mentions, edits and thread counts (a per-conversation presenter used 3 to 6 each).
  expect(large.list.queries).toBeLessThanOrEqual(6);
  expect(large.browse.queries).toBeLessThanOrEqual(6);

  // The batch shows each conversation exactly as presenting it alone does (nothing changed between).
  const db = parley.storage.db;
  const alone = new Map<string, Conversation>();
  for (const a of await myMemberships(db, me.user.id, true)) alone.set(a.conv.id, await presentConversation(db, me.user.id, a.conv, a.member, a.dmUserId));
  for (const c of large.list.result) expect(c).toEqual(alone.get(c.id));
  // What the kits set up is really there (a list of zeros would also be "the same").
  const left = large.list.result.filter((c) => c.membership?.left_seq !== null);
  expect(left).toHaveLength(6);
  expect(new Set(left.map((c) => c.membership?.left_seq)).size).toBe(6);
  for (const c of left) {
    expect(c.name).toMatch(/^left-/);
    expect(c.last_message?.body).toBe('as I saw it');
    expect(c.last_message?.reply_count).toBe(1);
    expect(c.last_message?.reactions.map((r) => r.emoji)).toEqual(['thumbsup']);
  }
  const dms = large.list.result.filter((c) => c.kind === 'dm');
  expect(dms.map((c) => [c.unread_count, c.mention_count])).toEqual(dms.map(() => [2, 1]));
  const groups = large.list.result.filter((c) => c.kind === 'group');
  expect(groups.map((c) => [c.unread_count, c.mention_count, c.last_message?.body])).toEqual(groups.map(() => [1, 0, 'at noon']));

  // Browse: public channels, the left ones as they are now (not a membership there).
  const browsed = large.browse.result.filter((c) => alone.has(c.id));
  expect(browsed).toHaveLength(12);
  for (const c of browsed) {
    const member = c.membership ? (await myMemberships(db, me.user.id, false)).find((a) => a.conv.id === c.id)!.member : null;
    const conv = await db.selectFrom('conversations').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(c).toEqual(await presentConversation(db, me.user.id, conv, member));
  }
});

// The batch reads the memberships again; a row that moved since the caller read it (here: a message
// and a read mark landing in between) must still be shown as the caller's rows say, like presentConversation does.
test("rows that moved between the caller's read and the batch are presented from the caller's rows", async () => {
  const [me, other] = [await registerUser(server), await registerUser(server)];
  const db = server.parley.storage.db;
  const dm = await createConversation(server, other.token, { kind: 'dm', user_id: me.user.id });
  const group = await createConversation(server, other.token, { kind: 'group', member_ids: [me.user.id] });
  await send(other, dm.id, 'one');
  const seen = await send(other, group.id, 'one');
  const stale = await myMemberships(db, me.user.id, true);
  const expected = new Map<string, Conversation>();
  for (const a of stale) expected.set(a.conv.id, await presentConversation(db, me.user.id, a.conv, a.member, a.dmUserId));
  await send(other, dm.id, 'two');
  const socket = await connect(me);
  await socket.request('read.mark', { conv_id: group.id, seq: seen.seq });

  const batch = await presentConversations(
    db,
    me.user.id,
    stale.map((a) => ({ conv: a.conv, member: a.member, dmUserId: a.dmUserId })),
  );
  expect(batch.map((c) => c.id)).toEqual(stale.map((a) => a.conv.id));
  for (const c of batch) expect(c).toEqual(expected.get(c.id));
  expect(batch.find((c) => c.id === dm.id)!.unread_count).toBe(1);
  expect(batch.find((c) => c.id === group.id)!.unread_count).toBe(1);
});
