import { expect, test } from 'vitest';
import type { Conversation, LogEvent, Message } from '@parley/protocol';
import { testConversation, testMessage } from '@parley/protocol/testing';
import { applyEvent, applyEvents, createState, loadConversation } from './reducer.js';

const ME = 'U_ME';
const BOB = 'U_BOB';
const C = 'C_1';
const ts = (n: number) => new Date(Date.parse('2030-01-01T00:00:00.000Z') + n * 1000).toISOString();

function msg(seq: number, over: Partial<Message> = {}): Message {
  return testMessage({ seq, conv_id: C, sender_id: BOB, created_at: ts(seq), ...over });
}

const conv: Conversation = testConversation(
  { id: C, kind: 'channel', name: 'ops', visibility: 'public', created_at: ts(0), last_seq: 1, retention_days: 1 },
  { role: 'owner', joined_at: ts(0), read_seq: 1 },
);

const created = (m: Message): LogEvent => ({ conv_id: C, seq: m.seq, ts: m.created_at, actor_id: m.sender_id, type: 'message.created', message: m, thread_root: null });
const expired = (seq: number, upTo: number, count: number): LogEvent => ({ conv_id: C, seq, ts: ts(seq), actor_id: ME, type: 'messages.expired', up_to_seq: upTo, count });

test('messages.expired drops every message up to its seq; counters and the last message follow; a replay converges', () => {
  const m2 = msg(2, { mentions: [ME] });
  const m3 = msg(3, { thread_root_id: 'M2', reply_to: 'M2' });
  const m4 = msg(4);
  const m5 = msg(5);
  const events = [created(m2), created(m3), created(m4), created(m5)];
  let s = applyEvents(loadConversation(createState(ME), { conversation: conv, messages: [], members: [] }), events);
  expect(s.conversations[C]).toMatchObject({ unread_count: 3, mention_count: 1, last_message: m5 });

  s = applyEvent(s, expired(6, 4, 3));
  expect(s.messages[C]!.map((m) => m.id)).toEqual(['M5']);
  expect(s.conversations[C]).toMatchObject({ last_seq: 6, unread_count: 1, mention_count: 0, last_message: m5 });
  expect(s.appliedSeq[C]).toBe(6);

  // Everything expired: no last message.
  const all = applyEvent(s, expired(7, 5, 1));
  expect(all.messages[C]).toEqual([]);
  expect(all.conversations[C]).toMatchObject({ unread_count: 0, last_message: null });

  // A client replaying the log from scratch (the old message.created carry empty tombstones) ends in the same place.
  const tomb = (m: Message): Message => ({ ...m, body: '', mentions: [] });
  const replay = applyEvents(loadConversation(createState(ME), { conversation: conv, messages: [], members: [] }), [
    created(tomb(m2)),
    created(tomb(m3)),
    created(tomb(m4)),
    created(m5),
    expired(6, 4, 3),
  ]);
  expect(replay.messages[C]).toEqual(s.messages[C]);
  expect(replay.conversations[C]).toEqual(s.conversations[C]);
  // Applied twice: the same state.
  expect(applyEvent(s, expired(6, 4, 3))).toBe(s);
});
