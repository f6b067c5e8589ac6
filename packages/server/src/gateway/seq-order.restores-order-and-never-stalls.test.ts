import { afterEach, expect, test, vi } from 'vitest';
import { SeqOrder } from './seq-order.js';

afterEach(() => {
  vi.useRealTimers();
});

test('events published out of order reach sockets in seq order', () => {
  const out: number[] = [];
  const o = new SeqOrder<number>((n) => out.push(n), 100);
  for (const s of [1, 3, 2, 5, 4, 6]) o.push(s, s);
  expect(out).toEqual([1, 2, 3, 4, 5, 6]);
  o.close();
});

test('a gap that never fills holds later events only for the window, then lets them through in order', () => {
  vi.useFakeTimers();
  const out: number[] = [];
  const o = new SeqOrder<number>((n) => out.push(n), 100);
  o.push(10, 10);
  o.push(13, 13);
  o.push(12, 12);
  expect(out).toEqual([10]);
  vi.advanceTimersByTime(99);
  expect(out).toEqual([10]);
  vi.advanceTimersByTime(1);
  expect(out).toEqual([10, 12, 13]);
  // The missing 11 arriving late still goes out (the client drops it or fills its gap with it).
  o.push(11, 11);
  o.push(14, 14);
  expect(out).toEqual([10, 12, 13, 11, 14]);
  o.close();
});

test('a burst of held events is bounded: past the limit they are flushed at once', () => {
  const out: number[] = [];
  const o = new SeqOrder<number>((n) => out.push(n), 60_000, null, 3);
  o.push(1, 1);
  o.push(3, 3);
  o.push(4, 4);
  expect(out).toEqual([1]);
  o.push(5, 5);
  expect(out).toEqual([1, 3, 4, 5]);
  o.close();
});

test('given the seq to start from, an event that overtakes the first expected one waits for it', () => {
  const out: number[] = [];
  const o = new SeqOrder<number>((n) => out.push(n), 100, 11);
  o.push(12, 12);
  expect(out).toEqual([]);
  o.push(11, 11);
  o.push(13, 13);
  expect(out).toEqual([11, 12, 13]);
  // One committed before the subscription but published after it is late: it still goes out.
  o.push(10, 10);
  expect(out).toEqual([11, 12, 13, 10]);
  o.close();
});
