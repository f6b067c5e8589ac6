import { expect, test } from 'vitest';
import type { Message } from '@parley/protocol';
import { addLive, emptyTimeline, mergeAround, mergeLatest, type Timeline } from './timeline.js';

const msg = (seq: number): Message => ({ id: `m${seq}`, seq, body: `#${seq}` }) as unknown as Message;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));
const seqs = (t: Timeline) => t.messages.map((m) => m.seq);
const tail = (from: number, to: number): Timeline => mergeLatest(emptyTimeline(), range(from, to), true, true);

test('a window far before the loaded tail replaces it and knows newer messages exist', () => {
  const t = mergeAround(tail(951, 1000), range(91, 100), true, range(101, 110), true, true);
  expect(seqs(t)).toEqual(range(91, 110).map((m) => m.seq));
  expect(t).toMatchObject({ hasOlder: true, hasNewer: true, loaded: true });
});

test('a window overlapping the tail joins it, and the timeline stays attached to the present', () => {
  const t = mergeAround(tail(951, 1000), range(931, 940), true, range(941, 960), true, true);
  expect(seqs(t)[0]).toBe(931);
  expect(seqs(t).at(-1)).toBe(1000);
  expect(t.hasNewer).toBe(false);
  expect(new Set(seqs(t)).size).toBe(t.messages.length);
});

test('while detached, live messages past the window are left out (no hole); edits inside it apply', () => {
  const w = mergeAround(emptyTimeline(), range(91, 100), true, range(101, 110), true, true);
  expect(addLive(w, msg(1001))).toBe(w);
  const edited = { ...msg(105), body: 'edited' } as Message;
  expect(addLive(w, edited).messages.find((m) => m.seq === 105)?.body).toBe('edited');
  const attached = tail(951, 1000);
  expect(seqs(addLive(attached, msg(1001))).at(-1)).toBe(1001);
});

test('the latest page puts a detached window back in the present', () => {
  const w = mergeAround(emptyTimeline(), range(91, 100), true, range(101, 110), true, true);
  const t = mergeLatest(w, range(951, 1000), true, true);
  expect(t.hasNewer).toBe(false);
  expect(seqs(t)[0]).toBe(951);
});
