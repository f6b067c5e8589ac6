/**
 * The page applies its conversations' events with the SDK's reducer (whose rules the
 * sync-correctness suite checks against a real server). What is checked here is the page's part:
 * where it holds less than a reducer state — counters re-read ahead of the events, a cache older
 * than the cursor, members not loaded, conversations never opened — the events still land right.
 */
import { describe, expect, test } from 'vitest';
import type { Conversation, LogEvent, Member, Message } from '@parley/protocol';
import { testConversation, testMessage, testUser } from '@parley/protocol/testing';
import { emptyTimeline, mergeLatest } from '@parley/sdk';
import { applyToChat, membersWithUser } from './events';
import type { ChatState } from './types';

const ME = 'U_ME';
const C = 'C_1';
const ts = '2030-01-01T00:05:00.000Z';

type Held = Pick<ChatState, 'conversations' | 'timelines' | 'members' | 'countsAsOf'>;

/** Ten unread (11..20), two of them mentions; the page holds 18..20 of it, counted up to 20. */
function page(over: Partial<Conversation> = {}, held: number[] | null = [18, 19, 20]): Held {
  const conv = testConversation({ last_seq: 20, unread_count: 10, mention_count: 2, last_message: testMessage({ seq: 20 }), ...over }, { read_seq: 10 });
  const messages = (held ?? []).map((seq) => testMessage({ seq, mentions: seq === 19 ? [ME] : [] }));
  return {
    conversations: { [C]: conv },
    timelines: held ? { [C]: mergeLatest(emptyTimeline(), messages, true, true) } : {},
    members: {},
    countsAsOf: { [C]: conv.last_seq },
  };
}

const event = (e: Record<string, unknown>): LogEvent => ({ conv_id: C, ts, actor_id: 'U_BOB', ...e }) as LogEvent;
const created = (seq: number, over: Partial<Message> = {}) => event({ type: 'message.created', seq, message: testMessage({ seq, ...over }), thread_root: null });
const seqs = (s: Held) => s.timelines[C]!.messages.map((m) => m.seq);

function apply(s: Held, ...events: LogEvent[]) {
  let out = { ...s, fresh: false, reread: false };
  for (const e of events) out = applyToChat(out, ME, e);
  return out;
}

describe('events on the page', () => {
  test('a new message joins the timeline and counts by the server rule; the counters are exact up to it', () => {
    const r = apply(page(), created(21, { mentions: [ME] }));
    expect(seqs(r)).toEqual([18, 19, 20, 21]);
    expect(r.conversations[C]).toMatchObject({ last_seq: 21, unread_count: 11, mention_count: 3 });
    expect(r.countsAsOf[C]).toBe(21);
    expect([r.fresh, r.reread]).toEqual([true, false]);
  });

  test('a conversation re-read ahead of its events: the timeline takes them, the counters do not count them twice', () => {
    // Re-read at 23 (three messages the timeline has not seen, counted by the server already).
    const ahead = page({ last_seq: 23, unread_count: 13, mention_count: 2 });
    const r = apply(ahead, created(21), created(22), created(23));
    expect(seqs(r)).toEqual([18, 19, 20, 21, 22, 23]);
    expect(r.conversations[C]).toMatchObject({ last_seq: 23, unread_count: 13, mention_count: 2 });
    expect(r.countsAsOf[C]).toBe(23);
    expect(r.fresh).toBe(false);
    const next = apply(r, created(24));
    expect(next.conversations[C]).toMatchObject({ last_seq: 24, unread_count: 14 });
    expect(next.fresh).toBe(true);
  });

  test('counters exact only to a seq well before the event: applied, and the conversation re-read', () => {
    const stale = { ...page(), countsAsOf: { [C]: 17 } };
    const r = apply(stale, created(21));
    expect(seqs(r)).toEqual([18, 19, 20, 21]);
    expect(r.countsAsOf[C]).toBe(21);
    expect([r.fresh, r.reread]).toEqual([true, true]);
  });

  test('members: a join adds to a loaded list, and starts no partial one', () => {
    const bob = testUser('U_BOB');
    const joined = event({ type: 'member.joined', seq: 21, user: bob, role: 'member', member_count: 3 });
    const unloaded = apply(page(), joined);
    expect(unloaded.members).toEqual({});
    expect(unloaded.conversations[C]!.member_count).toBe(3);
    const me: Member = { user: testUser(ME), role: 'owner', joined_at: ts, read_seq: 20 };
    const loaded = apply({ ...page(), members: { [C]: { [ME]: me } } }, joined);
    expect(Object.keys(loaded.members[C]!).sort()).toEqual(['U_BOB', ME]);
    // A new name reaches the member list the page holds.
    const renamed = membersWithUser(loaded.members, ME, { type: 'user.updated', user: { ...bob, display_name: 'Robert' } });
    expect(renamed[C]!['U_BOB']!.user.display_name).toBe('Robert');
  });

  test('a conversation never opened: a new message starts its timeline; a recall of an unread message it cannot see asks for a re-read', () => {
    const closed = page({}, null);
    const r = apply(closed, created(21));
    expect(seqs(r)).toEqual([21]);
    expect(r.conversations[C]!.unread_count).toBe(11);
    const recall = apply(closed, event({ type: 'message.recalled', seq: 21, message: testMessage({ seq: 15, recalled: true, body: '' }) }));
    expect(recall.timelines).toEqual({});
    expect(recall.reread).toBe(true);
  });

  test('my read: to the end clears the counters; to a point inside history the page does not hold asks for a re-read', () => {
    const all = applyToChat(page(), ME, { type: 'read', conv_id: C, user_id: ME, read_seq: 20 });
    expect(all.conversations[C]).toMatchObject({ unread_count: 0, mention_count: 0 });
    expect(all.reread).toBe(false);
    const inside = applyToChat(page(), ME, { type: 'read', conv_id: C, user_id: ME, read_seq: 18 });
    expect(inside.conversations[C]).toMatchObject({ unread_count: 2, mention_count: 1 });
    const before = applyToChat(page(), ME, { type: 'read', conv_id: C, user_id: ME, read_seq: 14 });
    expect(before.reread).toBe(true);
  });

  test('an event for a conversation the page has not heard of changes nothing', () => {
    const s = page();
    const r = applyToChat(s, ME, { ...created(5), conv_id: 'C_OTHER' } as LogEvent);
    expect([r.conversations, r.timelines, r.countsAsOf]).toEqual([s.conversations, s.timelines, s.countsAsOf]);
    expect(r.fresh).toBe(false);
  });
});
