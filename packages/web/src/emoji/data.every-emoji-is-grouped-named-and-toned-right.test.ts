import { expect, test } from 'vitest';
import { SHORTCODES } from '../markdown/emoji';
import { entries } from './emojibase-data';
import { fromEmojibase, fullyQualified, type EmojibaseCompact } from './emojibase';
import { buildDataset, EMOJI_GROUPS, withTone } from './types';

const data = buildDataset(entries);

test('every group has emoji, every emoji a name and a group, and all but the newest a shortcode', () => {
  for (const g of EMOJI_GROUPS) expect(entries.filter((e) => e.group === g).length, g).toBeGreaterThan(10);
  for (const e of entries) {
    expect(e.label.length, e.emoji).toBeGreaterThan(1);
    for (const s of e.shortcodes) expect(s, e.emoji).toMatch(/^[a-z0-9_+-]{1,48}$/);
  }
  // GitHub's preset trails Unicode's newest releases by a little: those are found by name.
  expect(entries.filter((e) => e.shortcodes.length === 0).length).toBeLessThan(entries.length * 0.05);
  expect(entries.length).toBeGreaterThan(1800);
});

test('no shortcode names two emoji, and no emoji is listed twice', () => {
  const seen = new Map<string, string>();
  for (const e of entries)
    for (const s of e.shortcodes) {
      expect(seen.get(s) ?? e.emoji, `:${s}:`).toBe(e.emoji);
      seen.set(s, e.emoji);
    }
  expect(new Set(entries.map((e) => e.emoji)).size).toBe(entries.length);
});

test('the shortcodes rendered at once (before the data set loads) mean the same emoji in the data set', () => {
  for (const [code, emoji] of Object.entries(SHORTCODES)) expect(data.byShortcode.get(code)?.emoji, `:${code}:`).toBe(emoji);
});

test('an emoji that takes a skin tone has five forms, light to dark, each found back to its emoji', () => {
  const wave = data.byShortcode.get('wave')!;
  expect(wave.skins).toEqual(['👋🏻', '👋🏼', '👋🏽', '👋🏾', '👋🏿']);
  expect(withTone(wave, 0)).toBe('👋');
  expect(withTone(wave, 3)).toBe('👋🏽');
  // U+FE0F gives way to the modifier: ✌️ becomes ✌🏿, not ✌️🏿.
  expect(withTone(data.byShortcode.get('v')!, 5)).toBe('✌\u{1F3FF}');
  expect(withTone(data.byShortcode.get('technologist')!, 1)).toBe('🧑🏻‍💻');
  expect(data.byEmoji.get('👋🏾')).toBe(wave);
  expect(data.byEmoji.get('✌')?.shortcodes).toContain('v');
  // One that takes none keeps its form whatever the tone.
  expect(withTone(data.byShortcode.get('rocket')!, 4)).toBe('🚀');
});

test('Emojibase records become entries: groups mapped, components left out, the five single tones kept in order', () => {
  const records: EmojibaseCompact[] = [
    {
      label: 'waving hand',
      hexcode: '1F44B',
      unicode: '👋',
      group: 1,
      order: 2,
      tags: ['hello', 'wave'],
      skins: [5, 1, 3, 2, 4].map((tone) => ({ unicode: `👋${String.fromCodePoint(0x1f3fa + tone)}`, tone })),
    },
    { label: 'grinning face', hexcode: '1F600', unicode: '😀', group: 0, order: 1, tags: ['face', 'grin'] },
    { label: 'light skin tone', hexcode: '1F3FB', unicode: '🏻', group: 2, order: 3 },
    { label: 'handshake', hexcode: '1F91D', unicode: '🤝', group: 1, order: 4, skins: [{ unicode: '🫱🏻‍🫲🏼', tone: [1, 2] }] },
    { label: 'flag: Japan', hexcode: '1F1EF-1F1F5', unicode: '🇯🇵', group: 9, order: 5 },
  ];
  const out = fromEmojibase(records, { '1F44B': 'wave', '1F600': ['grinning', 'grinning_face'], '1F91D': 'handshake' });
  expect(out.map((e) => [e.emoji, e.group, e.shortcodes])).toEqual([
    ['😀', 'smileys', ['grinning', 'grinning_face']],
    ['👋', 'people', ['wave']],
    ['🤝', 'people', ['handshake']],
    ['🇯🇵', 'flags', []],
  ]);
  expect(out[1]!.skins).toEqual(['👋🏻', '👋🏼', '👋🏽', '👋🏾', '👋🏿']);
  expect(out[1]!.keywords).toEqual(['hello', 'wave']);
  expect(out[2]!.skins).toBeUndefined();
  expect(buildDataset(out).byShortcode.get('grinning_face')?.emoji).toBe('😀');
});

test('the picker gives Unicode’s fully-qualified form, as other clients send it, so one reaction never counts as two', () => {
  // Drawn as emoji by default: no U+FE0F (Emojibase writes one after every emoji).
  expect(data.byShortcode.get('+1')?.emoji).toBe('\u{1F44D}');
  expect(data.byShortcode.get('rocket')?.emoji).toBe('\u{1F680}');
  // Drawn as text by default: U+FE0F makes it an emoji, and is part of its fully-qualified form.
  expect(data.byShortcode.get('heart')?.emoji).toBe('\u2764\uFE0F');
  expect(data.byShortcode.get('raised_hand_with_fingers_splayed')?.emoji).toBe('\u{1F590}\uFE0F');
  expect(fullyQualified('\u{1F44D}\uFE0F')).toBe('\u{1F44D}');
  // Sequences keep theirs.
  expect(fullyQualified('#\uFE0F\u20E3')).toBe('#\uFE0F\u20E3');
});
