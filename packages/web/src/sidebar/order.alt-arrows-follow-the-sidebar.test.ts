import { expect, test } from 'vitest';
import type { Conversation } from '@parley/protocol';
import { neighbour } from './order';

function conv(id: string, kind: Conversation['kind'], opts: { name?: string; at?: string; unread?: number; mentions?: number; muted?: boolean; left?: boolean } = {}): Conversation {
  return {
    id,
    kind,
    name: opts.name ?? null,
    created_at: opts.at ?? '2026-01-01T00:00:00.000Z',
    last_message: null,
    unread_count: opts.unread ?? 0,
    mention_count: opts.mentions ?? 0,
    membership: { muted: opts.muted ?? false, left_seq: opts.left ? 5 : null },
  } as unknown as Conversation;
}

// Sidebar order: channels by name (a, b), then groups, then DMs, newest first.
const all: Record<string, Conversation> = Object.fromEntries(
  [
    conv('ch-b', 'channel', { name: 'beta', unread: 2 }),
    conv('ch-a', 'channel', { name: 'alpha' }),
    conv('ch-gone', 'channel', { name: 'aardvark', unread: 9, left: true }),
    conv('gr', 'group', { muted: true, unread: 4 }),
    conv('dm-old', 'dm', { at: '2026-01-01T00:00:00.000Z', mentions: 1, muted: true }),
    conv('dm-new', 'dm', { at: '2026-02-01T00:00:00.000Z' }),
  ].map((c) => [c.id, c]),
);

test('Alt+↓ and Alt+↑ step through the sidebar in its order and stop at the ends', () => {
  expect(neighbour(all, 'ch-a', 1, false)).toBe('ch-b');
  expect(neighbour(all, 'ch-b', 1, false)).toBe('gr');
  expect(neighbour(all, 'gr', 1, false)).toBe('dm-new');
  expect(neighbour(all, 'dm-new', 1, false)).toBe('dm-old');
  expect(neighbour(all, 'dm-old', 1, false)).toBeNull();
  expect(neighbour(all, 'ch-b', -1, false)).toBe('ch-a');
  expect(neighbour(all, 'ch-a', -1, false)).toBeNull();
});

test('from no conversation, down starts at the top and up at the bottom; a left channel is not in the way', () => {
  expect(neighbour(all, null, 1, false)).toBe('ch-a');
  expect(neighbour(all, null, -1, false)).toBe('dm-old');
  expect(neighbour(all, 'ch-gone', 1, false)).toBe('ch-a');
});

test('with Shift only unread ones count: a muted one only for a mention', () => {
  expect(neighbour(all, 'ch-a', 1, true)).toBe('ch-b');
  // The muted group's unread messages do not call for attention; the muted DM's mention does.
  expect(neighbour(all, 'ch-b', 1, true)).toBe('dm-old');
  expect(neighbour(all, 'dm-old', -1, true)).toBe('ch-b');
  expect(neighbour(all, 'ch-b', -1, true)).toBeNull();
});
