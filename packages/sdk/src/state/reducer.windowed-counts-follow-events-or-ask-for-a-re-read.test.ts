/**
 * A windowed state (what the web keeps) holds the latest page of a conversation, not its whole
 * history. Its counters must still be the server's: moved by each event when the window can tell,
 * flagged for a re-read when it cannot — never silently wrong. (Against a real server, every
 * action of the sync-correctness suite checks the same through `verifyAction`.)
 */
import { expect, test } from 'vitest';
import type { Conversation, LogEvent, Message } from '@parley/protocol';
import { testConversation, testMessage } from '@parley/protocol/testing';
import { applyEvent, createState, loadConversation, refreshConversation, type ClientState } from './reducer.js';

const ME = 'U_ME';
const C = 'C_1';
const ts = '2030-01-01T00:05:00.000Z';

function conv(over: Partial<Conversation> = {}): Conversation {
  // Ten unread messages (11..20) by the server's count, two of them mentions.
  return testConversation({ last_seq: 20, unread_count: 10, mention_count: 2, last_message: testMessage({ seq: 20 }), ...over }, { read_seq: 10 });
}

/** Holds seqs 18..20 of a history that goes back to 1. */
function windowed(): ClientState {
  const page = [18, 19, 20].map((seq) => testMessage({ seq, mentions: seq === 19 ? [ME] : [] }));
  return loadConversation(createState(ME, { windowed: true }), { conversation: conv(), messages: page, members: [], hasOlder: true });
}

const event = (e: Record<string, unknown>): LogEvent => ({ conv_id: C, ts, actor_id: 'U_BOB', ...e }) as LogEvent;
const created = (seq: number, over: Partial<Message> = {}) => event({ type: 'message.created', seq, message: testMessage({ seq, ...over }), thread_root: null });
const recalled = (seq: number, m: Message) => event({ type: 'message.recalled', seq, message: { ...m, recalled: true, body: '' } });

test('the server counts are kept on load, and a new message adds to them by the same rule', () => {
  let s = windowed();
  expect(s.conversations[C]).toMatchObject({ unread_count: 10, mention_count: 2 });
  s = applyEvent(s, created(21, { mentions: [ME] }));
  s = applyEvent(s, created(22, { sender_id: ME }));
  expect(s.conversations[C]).toMatchObject({ unread_count: 11, mention_count: 3, last_seq: 22 });
  expect(s.windows![C]!.messages.map((m) => m.seq)).toEqual([18, 19, 20, 21, 22]);
  expect(s.needs).toEqual({});
  // A replay of an event already applied changes nothing.
  expect(applyEvent(s, created(21, { mentions: [ME] }))).toBe(s);
});

test('a recall of a message in the window takes it out of the counts at once', () => {
  const s = applyEvent(windowed(), recalled(21, testMessage({ seq: 19, mentions: [ME] })));
  expect(s.conversations[C]).toMatchObject({ unread_count: 9, mention_count: 1 });
  expect(s.needs).toEqual({});
});

test('a recall of an unread message outside the window asks for a re-read, and the re-read settles it', () => {
  let s = applyEvent(windowed(), recalled(21, testMessage({ seq: 12, mentions: [ME] })));
  expect(s.needs[C]).toEqual({ counts: true });
  // A copy from before the event is not taken: the server's counts would miss it.
  expect(refreshConversation(s, conv({ unread_count: 9, mention_count: 1 })).needs[C]).toEqual({ counts: true });
  s = refreshConversation(s, conv({ last_seq: 21, unread_count: 9, mention_count: 1 }));
  expect(s.conversations[C]).toMatchObject({ unread_count: 9, mention_count: 1 });
  expect(s.needs).toEqual({});
});

test('reading up to a message the window holds counts the rest from it; reading to a point before it asks', () => {
  const inside = applyEvent(windowed(), event({ type: 'read', user_id: ME, read_seq: 18 }));
  expect(inside.conversations[C]).toMatchObject({ unread_count: 2, mention_count: 1 });
  expect(inside.needs).toEqual({});
  const before = applyEvent(windowed(), event({ type: 'read', user_id: ME, read_seq: 14 }));
  expect(before.needs[C]).toEqual({ counts: true });
  const all = applyEvent(windowed(), event({ type: 'read', user_id: ME, read_seq: 20 }));
  expect(all.conversations[C]).toMatchObject({ unread_count: 0, mention_count: 0 });
});

test('expired history leaves the window, and the counts over it are re-read', () => {
  const s = applyEvent(windowed(), event({ type: 'messages.expired', seq: 21, up_to_seq: 18 }));
  expect(s.windows![C]!.messages.map((m) => m.seq)).toEqual([19, 20]);
  expect(s.needs[C]).toEqual({ counts: true });
  expect(s.conversations[C]!.last_message?.seq).toBe(20);
});

test('a conversation re-read ahead of its events: the window takes the events it missed, the counters do not count them twice', () => {
  // The window was loaded at seq 20; the conversation is re-read at 23, its counters holding 21..23.
  let s = windowed();
  const ahead = conv({ last_seq: 23, unread_count: 12, mention_count: 3, last_message: testMessage({ seq: 22 }) });
  s = loadConversation(s, { conversation: ahead, messages: s.windows![C]!.messages, members: [], hasOlder: true });
  const m21 = testMessage({ seq: 21, mentions: [ME] });
  s = applyEvent(s, created(21, m21));
  s = applyEvent(s, created(22));
  s = applyEvent(s, event({ type: 'message.edited', seq: 23, message: { ...m21, body: 'edited' } }));
  expect(s.windows![C]!.messages.map((m) => [m.seq, m.body])).toEqual([
    [18, 'body 18'],
    [19, 'body 19'],
    [20, 'body 20'],
    [21, 'edited'],
    [22, 'body 22'],
  ]);
  expect(s.conversations[C]).toMatchObject({ last_seq: 23, unread_count: 12, mention_count: 3 });
  expect(s.needs).toEqual({});
  // Once there, a replay changes nothing; a message older than a window with older history unloaded is not added (it would leave a hole).
  expect(applyEvent(s, created(22))).toBe(s);
  expect(applyEvent(s, created(5))).toBe(s);
  // The next event counts again.
  s = applyEvent(s, created(24, { mentions: [ME] }));
  expect(s.conversations[C]).toMatchObject({ last_seq: 24, unread_count: 13, mention_count: 4 });
});
