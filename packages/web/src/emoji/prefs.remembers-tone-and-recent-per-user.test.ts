import { beforeEach, expect, test } from 'vitest';
import { emojiPrefs, rememberEmoji, RECENT_MAX, setSkinTone } from './prefs';

// localStorage as a browser has it.
const items = new Map<string, string>();
Object.assign(globalThis, {
  localStorage: {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, String(v)),
    removeItem: (k: string) => void items.delete(k),
  },
});
beforeEach(() => items.clear());

test('the most recent pick comes first, once, and the list keeps its length', () => {
  rememberEmoji('u1', '🚀');
  rememberEmoji('u1', '🎉');
  rememberEmoji('u1', '🚀');
  expect(emojiPrefs('u1').recent).toEqual(['🚀', '🎉']);
  for (let i = 0; i < RECENT_MAX + 5; i++) rememberEmoji('u1', String.fromCodePoint(0x1f600 + i));
  expect(emojiPrefs('u1').recent).toHaveLength(RECENT_MAX);
  expect(emojiPrefs('u1').recent[0]).toBe(String.fromCodePoint(0x1f600 + RECENT_MAX + 4));
});

test('each user has their own tone and list, kept across page loads (in storage)', () => {
  setSkinTone('u1', 4);
  rememberEmoji('u1', '👋');
  expect(emojiPrefs('u2')).toEqual({ tone: 0, recent: [] });
  expect(JSON.parse(items.get('parley.emoji.u1')!)).toEqual({ tone: 4, recent: ['👋'] });
  expect(emojiPrefs('u1')).toEqual({ tone: 4, recent: ['👋'] });
});

test('a damaged or foreign entry reads as the defaults', () => {
  items.set('parley.emoji.u3', '{not json');
  expect(emojiPrefs('u3')).toEqual({ tone: 0, recent: [] });
  items.set('parley.emoji.u3', JSON.stringify({ tone: 9, recent: ['🚀', 7, null] }));
  expect(emojiPrefs('u3')).toEqual({ tone: 0, recent: ['🚀'] });
});
