import { describe, expect, test } from 'vitest';
import type { EphemeralMessage } from '@parley/protocol';
import { MAX_EPHEMERAL, ephemeralIn, withEphemeral } from './ephemeral';

const eph = (id: string, at: number, thread: string | null = null): EphemeralMessage => ({
  id,
  conv_id: 'c',
  thread_root_id: thread,
  sender_id: 'bot',
  body: id,
  created_at: new Date(Date.UTC(2026, 0, 1, 12, 0, at)).toISOString(),
});

describe('ephemeral answers', () => {
  test('one arriving twice (REST answer and socket event) is kept once; out-of-order arrivals are sorted by time', () => {
    let list = withEphemeral(undefined, eph('b', 2));
    list = withEphemeral(list, eph('c', 3));
    const same = withEphemeral(list, eph('b', 2));
    expect(same).toBe(list);
    list = withEphemeral(list, eph('a', 1));
    list = withEphemeral(list, eph('d', 3));
    expect(list.map((m) => m.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  test('at most MAX_EPHEMERAL are kept, the oldest dropped; the conversation and each thread see their own', () => {
    let list: readonly EphemeralMessage[] = [];
    for (let i = 0; i < MAX_EPHEMERAL + 5; i++) list = withEphemeral(list, eph(`m${i}`, i, i % 2 ? 'root' : null));
    expect(list).toHaveLength(MAX_EPHEMERAL);
    expect(list[0]!.id).toBe('m5');
    expect(ephemeralIn(list, 'root').every((m) => m.thread_root_id === 'root')).toBe(true);
    expect(ephemeralIn(list, null)).toHaveLength(MAX_EPHEMERAL / 2);
    expect(ephemeralIn(undefined, null)).toEqual([]);
  });
});
