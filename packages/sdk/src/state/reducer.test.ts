import { describe, expect, test } from 'vitest';
import type { Conversation, LogEvent, Member, Message, ServerEvent, User } from '@parley/protocol';
import { testConversation, testMessage, testUser } from '@parley/protocol/testing';
import { applyEvent, applyEvents, applyEventsPage, createState, hasGap, loadConversation, loadHistory, stateFromSnapshots, type ClientState } from './reducer.js';

// Hand-made fixtures. Ids only need to be distinct strings here.
const ME = 'U_ME';
const BOB = 'U_BOB';
const CAROL = 'U_CAROL';
const C = 'C_1';
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const ts = (n: number) => new Date(T0 + n * 1000).toISOString();

const user = (id: string): User => testUser(id, { created_at: ts(0) });
const member = (id: string, read = 3, role: Member['role'] = 'member'): Member => ({ user: user(id), role, joined_at: ts(0), read_seq: read });

function msg(seq: number, sender: string, over: Partial<Message> = {}): Message {
  return testMessage({ seq, conv_id: C, sender_id: sender, created_at: ts(seq), ...over });
}

function conv(over: Partial<Conversation> = {}): Conversation {
  return testConversation({ id: C, created_at: ts(0), last_seq: 3, member_count: 3, ...over }, { role: 'owner', joined_at: ts(0), read_seq: 3 });
}

/** A group made of seqs 1..3 (three member.joined events), everyone read up to 3. */
function base(): ClientState {
  return loadConversation(createState(ME), { conversation: conv(), messages: [], members: [member(ME, 3, 'owner'), member(BOB), member(CAROL)] });
}

const ev = { conv_id: C, actor_id: BOB };
const created = (m: Message, thread_root: { id: string; reply_count: number; last_reply_at: string | null } | null = null): LogEvent => ({
  ...ev,
  actor_id: m.sender_id,
  seq: m.seq,
  ts: m.created_at,
  type: 'message.created',
  message: m,
  thread_root,
});
const edited = (seq: number, m: Message): LogEvent => ({ ...ev, seq, ts: ts(seq), type: 'message.edited', message: m });
const recalled = (seq: number, m: Message): LogEvent => ({ ...ev, seq, ts: ts(seq), type: 'message.recalled', message: m });

const c = (s: ClientState) => s.conversations[C]!;

describe('log events', () => {
  test('a new message from someone else is unread and becomes the last message', () => {
    const m = msg(4, BOB);
    const s = applyEvent(base(), created(m));
    expect(s.appliedSeq[C]).toBe(4);
    expect(s.messages[C]).toEqual([m]);
    expect(c(s)).toMatchObject({ last_seq: 4, unread_count: 1, mention_count: 0, last_message: m });
  });

  test('my own message is not unread', () => {
    const s = applyEvent(base(), created(msg(4, ME)));
    expect(c(s)).toMatchObject({ unread_count: 0, last_seq: 4 });
    expect(c(s).last_message?.id).toBe('M4');
  });

  test('duplicates are ignored', () => {
    const e = created(msg(4, BOB));
    const once = applyEvent(base(), e);
    const twice = applyEvent(once, e);
    expect(twice).toBe(once);
    expect(twice.messages[C]).toHaveLength(1);
    expect(c(twice).unread_count).toBe(1);
  });

  test('replaying the whole log (events carry messages as they are now) converges to the same state', () => {
    const m4 = msg(4, BOB, { body: 'edited', edited_at: ts(6), reply_count: 1, last_reply_at: ts(5) });
    const m5 = msg(5, CAROL, { thread_root_id: 'M4', reply_to: 'M4' });
    const events: LogEvent[] = [created(m4), created(m5, { id: 'M4', reply_count: 1, last_reply_at: ts(5) }), edited(6, m4)];
    const live = applyEvents(base(), events);
    // Replay after a reconnect: the same events again, interleaved with duplicates.
    const replayed = applyEvents(live, [...events, ...events]);
    expect(replayed).toBe(live);
    // And a client that missed everything and replays from scratch ends in the same place.
    const fresh = applyEvents(base(), [...events].reverse().concat(events));
    expect(fresh.messages).toEqual(live.messages);
    expect(fresh.conversations).toEqual(live.conversations);
  });

  test('a gap is detected, not applied, and flagged for resync; the events page closes it', () => {
    const s0 = base();
    const e6 = created(msg(6, BOB));
    expect(hasGap(s0, e6)).toBe(true);
    expect(hasGap(s0, created(msg(4, BOB)))).toBe(false);
    expect(hasGap(s0, created(msg(2, BOB)))).toBe(false);
    const s1 = applyEvent(s0, e6);
    expect(s1.appliedSeq[C]).toBe(3);
    expect(s1.messages[C]).toEqual([]);
    expect(s1.needs[C]).toEqual({ events: true });
    const page = { conv_id: C, events: [created(msg(4, BOB)), created(msg(5, ME)), e6], last_seq: 6, has_more: false };
    const s2 = applyEventsPage(s1, page);
    expect(s2.needs[C]).toBeUndefined();
    expect(s2.appliedSeq[C]).toBe(6);
    expect(c(s2)).toMatchObject({ unread_count: 2, last_seq: 6 });
    // A partial page keeps the flag until the last page arrives.
    const partial = applyEventsPage(s1, { ...page, events: page.events.slice(0, 1), has_more: true });
    expect(partial.needs[C]).toEqual({ events: true });
  });

  test('events of an unknown conversation are a gap and are remembered for sync', () => {
    const s = applyEvent(base(), { ...created(msg(1, BOB)), conv_id: 'C_OTHER' });
    expect(hasGap(base(), { ...created(msg(1, BOB)), conv_id: 'C_OTHER' })).toBe(true);
    expect(s.unknown).toEqual({ C_OTHER: true });
    expect(s.conversations.C_OTHER).toBeUndefined();
  });

  test('a recalled message becomes a tombstone: kept in place, no longer unread or a mention', () => {
    const m4 = msg(4, BOB, { mentions: [ME] });
    let s = applyEvent(base(), created(m4));
    expect(c(s)).toMatchObject({ unread_count: 1, mention_count: 1 });
    const tomb = { ...m4, body: '', recalled: true, recalled_at: ts(5), mentions: [] };
    s = applyEvent(s, recalled(5, tomb));
    expect(s.messages[C]).toEqual([tomb]);
    expect(c(s)).toMatchObject({ unread_count: 0, mention_count: 0, last_seq: 5, last_message: tomb });
    // The replayed message.created of a recalled message already carries the tombstone.
    const replay = applyEvents(base(), [created(tomb), recalled(5, tomb)]);
    expect(replay.messages).toEqual(s.messages);
    expect(replay.conversations).toEqual(s.conversations);
  });

  test('thread replies set the root counters and are not counted as unread or last message', () => {
    const root = msg(4, ME);
    let s = applyEvent(base(), created(root));
    const r1 = msg(5, BOB, { thread_root_id: 'M4', reply_to: 'M4' });
    s = applyEvent(s, created(r1, { id: 'M4', reply_count: 1, last_reply_at: r1.created_at }));
    const r2 = msg(6, CAROL, { thread_root_id: 'M4', reply_to: 'M5' });
    s = applyEvent(s, created(r2, { id: 'M4', reply_count: 2, last_reply_at: r2.created_at }));
    // Applying a duplicate reply does not count it twice: the counters are set, not incremented.
    s = applyEvent(s, created(r2, { id: 'M4', reply_count: 2, last_reply_at: r2.created_at }));
    const rootNow = s.messages[C]!.find((m) => m.id === 'M4')!;
    expect(rootNow).toMatchObject({ reply_count: 2, last_reply_at: r2.created_at });
    expect(c(s)).toMatchObject({ unread_count: 0, last_seq: 6 });
    expect(c(s).last_message).toEqual(rootNow);
    expect(s.messages[C]!.map((m) => m.seq)).toEqual([4, 5, 6]);
  });

  test('a mention of me in a thread reply counts as a mention but not as unread, as on the server', () => {
    let s = applyEvent(base(), created(msg(4, ME)));
    const reply = msg(5, BOB, { thread_root_id: 'M4', reply_to: 'M4', mentions: [ME] });
    s = applyEvent(s, created(reply, { id: 'M4', reply_count: 1, last_reply_at: reply.created_at }));
    expect(c(s)).toMatchObject({ unread_count: 0, mention_count: 1 });
    const plain = msg(6, CAROL, { thread_root_id: 'M4', reply_to: 'M4' });
    s = applyEvent(s, created(plain, { id: 'M4', reply_count: 2, last_reply_at: plain.created_at }));
    expect(c(s)).toMatchObject({ unread_count: 0, mention_count: 1 });
  });

  test('mentions of me and of the channel count; an edit that removes the mention uncounts it', () => {
    const a = msg(4, BOB, { mentions: [ME] });
    const b = msg(5, CAROL, { mentions_channel: true });
    const other = msg(6, CAROL, { mentions: [BOB] });
    let s = applyEvents(base(), [created(a), created(b), created(other)]);
    expect(c(s)).toMatchObject({ unread_count: 3, mention_count: 2 });
    s = applyEvent(s, edited(7, { ...a, body: 'no mention', mentions: [], edited_at: ts(7) }));
    expect(c(s)).toMatchObject({ unread_count: 3, mention_count: 1, last_seq: 7 });
  });

  test('reactions set the message snapshot', () => {
    const m = msg(4, BOB);
    let s = applyEvent(base(), created(m));
    const withR = { ...m, reactions: [{ emoji: '👍', count: 1, user_ids: [ME] }] };
    s = applyEvent(s, { ...ev, actor_id: ME, seq: 5, ts: ts(5), type: 'reaction.changed', message: withR, emoji: '👍', user_id: ME, op: 'add' });
    s = applyEvent(s, { ...ev, actor_id: ME, seq: 5, ts: ts(5), type: 'reaction.changed', message: withR, emoji: '👍', user_id: ME, op: 'add' });
    expect(s.messages[C]![0]!.reactions).toEqual([{ emoji: '👍', count: 1, user_ids: [ME] }]);
    s = applyEvent(s, { ...ev, actor_id: ME, seq: 6, ts: ts(6), type: 'reaction.changed', message: m, emoji: '👍', user_id: ME, op: 'remove' });
    expect(s.messages[C]![0]!.reactions).toEqual([]);
  });

  test('a pin sets the message snapshot; its replay converges; saving (mine alone) leaves the shared state as it is', () => {
    const m = msg(4, BOB);
    let s = applyEvent(base(), created(m));
    const pinned = { ...m, pinned_at: ts(5), pinned_by: ME };
    const pin: LogEvent = { ...ev, actor_id: ME, seq: 5, ts: ts(5), type: 'message.pinned', message: pinned, op: 'add' };
    s = applyEvent(s, pin);
    expect(s.messages[C]![0]).toMatchObject({ pinned_at: ts(5), pinned_by: ME });
    expect(c(s)).toMatchObject({ last_seq: 5, last_message: pinned, unread_count: 1 });
    expect(applyEvent(s, pin)).toBe(s);
    const unpin: LogEvent = { ...ev, actor_id: ME, seq: 6, ts: ts(6), type: 'message.pinned', message: m, op: 'remove' };
    s = applyEvent(s, unpin);
    expect(s.messages[C]![0]).toMatchObject({ pinned_at: null, pinned_by: null });
    expect(s.appliedSeq[C]).toBe(6);
    // A client that replays the log gets every event with the message as it is now (unpinned).
    const replayed = applyEvents(base(), [created(m), { ...pin, message: m }, unpin]);
    expect(replayed.messages[C]).toEqual(s.messages[C]);
    expect(applyEvent(s, { type: 'saved.changed', message_id: m.id, saved: { saved_at: ts(7), message: m } })).toBe(s);
  });

  test('member events set member_count from the event and keep the member list', () => {
    const dave = user('U_DAVE');
    let s = applyEvent(base(), { ...ev, seq: 4, ts: ts(4), type: 'member.joined', user: dave, role: 'member', member_count: 4 });
    expect(c(s).member_count).toBe(4);
    expect(s.members[C]!.U_DAVE).toEqual({ user: dave, role: 'member', joined_at: ts(4), read_seq: 4 });
    s = applyEvent(s, { ...ev, seq: 5, ts: ts(5), type: 'member.role_changed', user_id: 'U_DAVE', role: 'admin' });
    expect(s.members[C]!.U_DAVE!.role).toBe('admin');
    s = applyEvent(s, { ...ev, seq: 6, ts: ts(6), type: 'member.left', user_id: 'U_DAVE', removed_by: ME, member_count: 3 });
    expect(s.members[C]!.U_DAVE).toBeUndefined();
    expect(c(s)).toMatchObject({ member_count: 3, last_seq: 6 });
  });

  test('my role change moves my membership role', () => {
    const s = applyEvent(base(), { ...ev, seq: 4, ts: ts(4), type: 'member.role_changed', user_id: ME, role: 'admin' });
    expect(c(s).membership?.role).toBe('admin');
    expect(s.members[C]![ME]!.role).toBe('admin');
  });

  test('when I leave, left_seq is set and later messages in the state do not count', () => {
    let s = applyEvent(base(), created(msg(4, BOB)));
    s = applyEvent(s, { ...ev, actor_id: ME, seq: 5, ts: ts(5), type: 'member.left', user_id: ME, removed_by: null, member_count: 2 });
    expect(c(s).membership).toMatchObject({ left_seq: 5 });
    expect(c(s)).toMatchObject({ last_seq: 5, unread_count: 1, member_count: 2 });
    expect(s.members[C]![ME]).toBeUndefined();
  });

  test('conversation.updated applies only the changed fields', () => {
    let s = applyEvent(base(), { ...ev, seq: 4, ts: ts(4), type: 'conversation.updated', changes: { topic: 'hello' } });
    expect(c(s)).toMatchObject({ name: 'g', topic: 'hello', archived: false, last_seq: 4 });
    s = applyEvent(s, { ...ev, seq: 5, ts: ts(5), type: 'conversation.updated', changes: { name: 'renamed', archived: true } });
    expect(c(s)).toMatchObject({ name: 'renamed', topic: 'hello', archived: true, last_seq: 5 });
  });

  test('conversation.updated sets its own retention, and null gives it back to the workspace', () => {
    let s = applyEvent(base(), { ...ev, seq: 4, ts: ts(4), type: 'conversation.updated', changes: { retention_days: 30 } });
    expect(c(s)).toMatchObject({ retention_days: 30, name: 'g', last_seq: 4 });
    s = applyEvent(s, { ...ev, seq: 5, ts: ts(5), type: 'conversation.updated', changes: { retention_days: null } });
    expect(c(s)).toMatchObject({ retention_days: null, last_seq: 5 });
  });

  test('conversation.updated sets the purpose and the history option; a later join of mine starts where that option says', () => {
    let s = applyEvent(base(), { ...ev, seq: 4, ts: ts(4), type: 'conversation.updated', changes: { purpose: 'why we are here', history_visibility: 'since_join' } });
    expect(c(s)).toMatchObject({ purpose: 'why we are here', history_visibility: 'since_join', topic: '' });
    s = applyEvent(s, { ...ev, seq: 5, ts: ts(5), type: 'conversation.updated', changes: { purpose: null } });
    expect(c(s)).toMatchObject({ purpose: null, history_visibility: 'since_join' });
    s = applyEvent(s, { ...ev, seq: 6, ts: ts(6), type: 'member.left', user_id: ME, removed_by: null, member_count: 1 });
    s = applyEvent(s, { ...ev, seq: 7, ts: ts(7), type: 'member.joined', user: user(ME), role: 'member', member_count: 2 });
    expect(c(s).membership).toMatchObject({ visible_from_seq: 7, left_seq: null });
  });

  test('since_join: messages before my visible range are never stored', () => {
    const s0 = loadConversation(createState(ME), {
      conversation: conv({
        history_visibility: 'since_join',
        kind: 'channel',
        membership: { role: 'member', joined_at: ts(3), visible_from_seq: 3, left_seq: null, read_seq: 3, muted: false, notify: 'mentions' },
      }),
      messages: [],
      members: [member(ME)],
    });
    const s = applyEvent(s0, { ...ev, seq: 4, ts: ts(4), type: 'reaction.changed', message: msg(2, BOB), emoji: 'x', user_id: BOB, op: 'add' });
    expect(s.messages[C]).toEqual([]);
    expect(s.appliedSeq[C]).toBe(4);
  });
});

describe('ephemeral events', () => {
  test('read for me moves my cursor and clears unread; read for others moves their member cursor', () => {
    let s = applyEvents(base(), [created(msg(4, BOB)), created(msg(5, BOB))]);
    expect(c(s).unread_count).toBe(2);
    s = applyEvent(s, { type: 'read', conv_id: C, user_id: ME, read_seq: 4 });
    expect(c(s)).toMatchObject({ unread_count: 1, membership: { read_seq: 4 } });
    expect(s.members[C]![ME]!.read_seq).toBe(4);
    // An older read (reordered or duplicated) never moves the cursor back.
    const same = applyEvent(s, { type: 'read', conv_id: C, user_id: ME, read_seq: 3 });
    expect(same).toBe(s);
    s = applyEvent(s, { type: 'read', conv_id: C, user_id: BOB, read_seq: 5 });
    expect(s.members[C]![BOB]!.read_seq).toBe(5);
  });

  test('conversation.added inserts the conversation, flags history, and ignores the join events that follow', () => {
    const added = conv({
      id: 'C_2',
      last_seq: 7,
      unread_count: 2,
      mention_count: 1,
      membership: { role: 'member', joined_at: ts(7), visible_from_seq: 1, left_seq: null, read_seq: 7, muted: false, notify: 'all' },
    });
    let s = applyEvent(createState(ME), { type: 'conversation.added', conversation: added });
    expect(s.conversations.C_2).toEqual(added);
    expect(s.appliedSeq.C_2).toBe(7);
    expect(s.needs.C_2).toEqual({ history: true });
    s = applyEvent(s, { conv_id: 'C_2', actor_id: BOB, seq: 7, ts: ts(7), type: 'member.joined', user: user(ME), role: 'member', member_count: 3 });
    expect(s.conversations.C_2).toEqual(added);
    // A new message while history is loading: last_seq follows, counters stay the server's.
    s = applyEvent(s, { ...created({ ...msg(8, BOB), conv_id: 'C_2' }), conv_id: 'C_2' });
    expect(s.conversations.C_2).toMatchObject({ last_seq: 8, unread_count: 2 });
    // Loading history recomputes everything from messages.
    const history = [
      { ...msg(5, BOB), conv_id: 'C_2' },
      { ...msg(8, BOB), conv_id: 'C_2' },
    ];
    s = loadHistory(s, 'C_2', history, [member(ME, 7), member(BOB)]);
    expect(s.needs.C_2).toBeUndefined();
    expect(s.conversations.C_2).toMatchObject({ last_seq: 8, unread_count: 1, mention_count: 0, last_message: history[1] });
    expect(Object.keys(s.members.C_2!).sort()).toEqual([BOB, ME].sort());
  });

  test('user.updated refreshes the user inside every member list', () => {
    const renamed = { ...user(BOB), display_name: 'Robert' };
    const s = applyEvent(base(), { type: 'user.updated', user: renamed });
    expect(s.members[C]![BOB]!.user.display_name).toBe('Robert');
  });

  test('typing, presence, delivered and session.revoked', () => {
    let s = applyEvent(base(), { type: 'typing', conv_id: C, user_id: BOB, thread_root_id: null, active: true, expires_in_ms: 5000 });
    expect(s.typing[C]![BOB]).toEqual({ thread_root_id: null, expires_in_ms: 5000 });
    s = applyEvent(s, { type: 'typing', conv_id: C, user_id: BOB, thread_root_id: null, active: false, expires_in_ms: 0 });
    expect(s.typing[C]).toEqual({});
    s = applyEvent(s, { type: 'presence', user_id: BOB, status: 'online', last_seen_at: null });
    expect(s.presence[BOB]?.status).toBe('online');
    s = applyEvent(s, { type: 'delivered', conv_id: C, user_id: BOB, delivered_seq: 3 });
    expect(s.delivered[C]).toEqual({ [BOB]: 3 });
    expect(applyEvent(s, { type: 'delivered', conv_id: C, user_id: BOB, delivered_seq: 2 })).toBe(s);
    expect(applyEvent(s, { type: 'session.revoked', session_id: 'x' })).toBe(s);
  });

  test('conversation.muted sets my level and muted flag; one without a level (an older server) keeps the level; notifications.updated keeps my DND', () => {
    let s = applyEvent(base(), { type: 'conversation.muted', conv_id: C, muted: true, notify: 'nothing' });
    expect(c(s).membership).toMatchObject({ muted: true, notify: 'nothing' });
    expect(applyEvent(s, { type: 'conversation.muted', conv_id: C, muted: true, notify: 'nothing' })).toBe(s);
    s = applyEvent(s, { type: 'conversation.muted', conv_id: C, muted: false, notify: 'all' });
    expect(c(s).membership).toMatchObject({ muted: false, notify: 'all' });
    s = applyEvent(s, { type: 'conversation.muted', conv_id: C, muted: true } as unknown as ServerEvent);
    expect(c(s).membership).toMatchObject({ muted: true, notify: 'all' });
    const settings = { dnd_until: ts(3600), sounds: false };
    s = applyEvent(s, { type: 'notifications.updated', settings });
    expect(s.notifications).toEqual(settings);
  });

  test('unknown event types from a newer server are ignored', () => {
    const s = base();
    expect(applyEvent(s, { type: 'something.new' } as unknown as ServerEvent)).toBe(s);
  });
});

describe('snapshots', () => {
  test('derived fields from a snapshot follow the server rules (visible range, left_seq, threads, recalled, own)', () => {
    const messages = [
      msg(1, BOB), // before visible range
      msg(2, BOB), // read
      msg(4, BOB), // unread
      msg(5, BOB, { thread_root_id: 'M4' }), // thread reply: not counted
      msg(6, ME), // mine
      msg(7, BOB, { recalled: true, body: '' }), // recalled
      msg(8, CAROL, { mentions_channel: true }), // unread mention
      msg(10, BOB), // after I left
    ];
    const s = stateFromSnapshots(ME, [
      {
        conversation: conv({ last_seq: 9, membership: { role: 'member', joined_at: ts(2), visible_from_seq: 2, left_seq: 9, read_seq: 3, muted: false, notify: 'all' } }),
        messages,
        members: [],
      },
    ]);
    expect(c(s)).toMatchObject({ last_seq: 9, unread_count: 2, mention_count: 1 });
    expect(c(s).last_message?.seq).toBe(8);
  });
});
