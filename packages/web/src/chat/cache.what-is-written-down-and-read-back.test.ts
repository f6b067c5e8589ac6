import { expect, test } from 'vitest';
import { emptyTimeline, mergeAround, mergeLatest } from '@parley/sdk';
import { testConversation, testMessage, testUser } from '@parley/protocol/testing';
import { CACHE_MESSAGES, cacheRecord, restored } from './cache';
import type { PendingMessage } from './types';

const range = (conv: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => testMessage({ conv_id: conv, seq: from + i }));
const ann = testUser('U_ANN', { username: 'ann', display_name: 'Ann' });
const failed = (id: string, over: Partial<PendingMessage> = {}): PendingMessage => ({
  client_msg_id: id,
  conv_id: 'A',
  body: `text ${id}`,
  reply_to: null,
  created_at: 1,
  status: 'failed',
  error: 'too long',
  ...over,
});

function state() {
  return {
    conversations: {
      A: testConversation({ id: 'A', last_seq: 300 }),
      B: testConversation({ id: 'B', last_seq: 40 }),
      LEFT: testConversation({ id: 'LEFT' }, { left_seq: 9 }),
    },
    timelines: {
      A: mergeLatest(emptyTimeline(), range('A', 1, 300), false, true),
      // A window opened around an old message (a search hit): not the conversation's tail.
      B: mergeAround(emptyTimeline(), range('B', 5, 10), true, range('B', 11, 15), true, true),
      LEFT: mergeLatest(emptyTimeline(), range('LEFT', 1, 9), false, true),
    },
    countsAsOf: { A: 300, B: 40 },
    users: { U_ANN: ann },
    pending: {
      f1: failed('f1'),
      burn: failed('burn', { burn_after: 60, body: 'the password is hunter2' }),
      sending: failed('sending', { status: 'pending' }),
    },
  };
}

test('written down: the newest messages of each tail, conversations I am in, refused sends — never a burn message, a window or a left conversation', () => {
  const r = cacheRecord(state(), { A: 300, B: 40, LEFT: 9 });
  expect(r.timelines.map((t) => t.conv_id)).toEqual(['A']);
  expect(r.timelines[0]!.messages).toHaveLength(CACHE_MESSAGES);
  expect(r.timelines[0]!.messages[0]!.seq).toBe(300 - CACHE_MESSAGES + 1);
  // Older messages exist beyond the cut, even though the timeline had reached the first one.
  expect(r.timelines[0]!.has_older).toBe(true);
  expect(r.conversations.map((c) => c.id)).toEqual(['A', 'B']);
  expect(r.failed_sends.map((f) => f.client_msg_id)).toEqual(['f1']);
  expect(JSON.stringify(r)).not.toContain('hunter2');
  expect(r.failed_sends[0]).not.toHaveProperty('status');
});

test('a tail without its cursor is neither written nor trusted when read back', () => {
  expect(cacheRecord(state(), { B: 40 }).timelines).toEqual([]);
  const r = cacheRecord(state(), { A: 300 });
  const back = restored({ ...r, cursors: {} });
  expect(back.timelines).toEqual({});
});

test('read back, the record is the state it was taken from: tails anchored to their cursors, refused sends failed again', () => {
  const r = cacheRecord(state(), { A: 300, B: 40 });
  const back = restored(r);
  expect(Object.keys(back.conversations)).toEqual(['A', 'B']);
  expect(back.users.U_ANN).toEqual(ann);
  expect(back.cursors).toEqual({ A: 300, B: 40 });
  expect(back.countsAsOf).toEqual({ A: 300, B: 40 });
  expect(back.timelines.A).toMatchObject({ hasOlder: true, hasNewer: false, loaded: true, anchored: true });
  expect(back.timelines.A!.messages.map((m) => m.seq)).toEqual(range('A', 101, 300).map((m) => m.seq));
  expect(back.pending).toEqual({ f1: failed('f1') });
});
