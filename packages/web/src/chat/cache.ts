/**
 * What the web client writes down between visits (IndexedDB, one database per account), and how
 * it is read back: conversations, the SDK's cursors, the seq each conversation's counters are as
 * of, users, sends the server refused, and the tail of each conversation's timeline. The rules of
 * what may be written are in `cacheRecord`, kept pure so a test can hold them.
 */
import type { Conversation, User } from '@parley/protocol';
import type { CachedTimeline, FailedSend, KvValues, ParleyDb } from '../storage/db';
import type { ChatState, PendingMessage, Timeline } from './types';

/** The newest messages kept of each conversation: enough for the first screen after a reload. */
export const CACHE_MESSAGES = 200;

/** One consistent record: everything in it was taken at the same instant. */
export interface CacheRecord extends KvValues {
  timelines: CachedTimeline[];
}

/** What a start takes back from the cache, shaped as the store holds it. */
export interface RestoredCache {
  conversations: Record<string, Conversation>;
  cursors: Record<string, number>;
  countsAsOf: Record<string, number>;
  users: Record<string, User>;
  timelines: Record<string, Timeline>;
  pending: Record<string, PendingMessage>;
}

/**
 * The record to write for this state and these SDK cursors. Left out: conversations I left; a
 * timeline that is a window around an old message (not the conversation's tail), not anchored to
 * the cursors, or of a conversation without a cursor; anything of a burn-after-reading message
 * that failed to send (its words are never written down); all but the newest `CACHE_MESSAGES`.
 */
export function cacheRecord(s: Pick<ChatState, 'timelines' | 'conversations' | 'countsAsOf' | 'users' | 'pending'>, cursors: Record<string, number>): CacheRecord {
  const mine = (c: Conversation | undefined) => !!c?.membership && c.membership.left_seq === null;
  const timelines: CachedTimeline[] = [];
  for (const [convId, t] of Object.entries(s.timelines)) {
    if (!t.anchored || t.hasNewer || cursors[convId] === undefined || !mine(s.conversations[convId])) continue;
    const tail = t.messages.slice(-CACHE_MESSAGES);
    timelines.push({ conv_id: convId, messages: tail, has_older: t.hasOlder || tail.length < t.messages.length });
  }
  return {
    conversations: Object.values(s.conversations).filter(mine),
    cursors,
    counts_as_of: s.countsAsOf,
    users: Object.values(s.users),
    failed_sends: Object.values(s.pending)
      .filter((p) => p.status === 'failed' && p.burn_after === undefined)
      .map(({ status: _status, ...f }): FailedSend => f),
    timelines,
  };
}

/** Replaces what the cache holds with the record, in one transaction. */
export async function writeCache(db: ParleyDb, r: CacheRecord): Promise<void> {
  const tx = db.transaction(['kv', 'timelines'], 'readwrite');
  const timelines = tx.objectStore('timelines');
  const kv = tx.objectStore('kv');
  await timelines.clear();
  await Promise.all([
    kv.put(r.conversations, 'conversations'),
    kv.put(r.cursors, 'cursors'),
    kv.put(r.counts_as_of, 'counts_as_of'),
    kv.put(r.users, 'users'),
    kv.put(r.failed_sends, 'failed_sends'),
    ...r.timelines.map((t) => timelines.put(t)),
  ]);
  await tx.done;
}

export async function readCache(db: ParleyDb): Promise<RestoredCache> {
  const tx = db.transaction(['kv', 'timelines'], 'readonly');
  const kv = tx.objectStore('kv');
  const [convs, cursors, countsAsOf, users, failed, timelines] = await Promise.all([
    kv.get('conversations'),
    kv.get('cursors'),
    kv.get('counts_as_of'),
    kv.get('users'),
    kv.get('failed_sends'),
    tx.objectStore('timelines').getAll(),
  ]);
  return restored({
    conversations: (convs as Conversation[] | undefined) ?? [],
    cursors: (cursors as Record<string, number> | undefined) ?? {},
    counts_as_of: (countsAsOf as Record<string, number> | undefined) ?? {},
    users: (users as User[] | undefined) ?? [],
    failed_sends: (failed as FailedSend[] | undefined) ?? [],
    timelines,
  });
}

/** A record read back, as the store holds it. */
export function restored(r: CacheRecord): RestoredCache {
  const byId = <T extends { id: string }>(list: readonly T[]) => Object.fromEntries(list.map((x) => [x.id, x]));
  // Sends the server refused stay on screen, with their reason, across reloads until retried or discarded.
  const pending: Record<string, PendingMessage> = {};
  for (const f of r.failed_sends) pending[f.client_msg_id] = { ...f, status: 'failed' };
  const timelines: Record<string, Timeline> = {};
  for (const t of r.timelines) {
    // A cached tail is only trusted with the cursor saved alongside it: the SDK then replays
    // exactly what came after it.
    if (r.cursors[t.conv_id] === undefined) continue;
    timelines[t.conv_id] = { messages: t.messages, hasOlder: t.has_older, loadingOlder: false, hasNewer: false, loadingNewer: false, loaded: true, anchored: true };
  }
  return { conversations: byId(r.conversations), cursors: r.cursors, countsAsOf: r.counts_as_of, users: byId(r.users), timelines, pending };
}
