import { expect, test } from 'vitest';
import { entries } from './emojibase-data';
import { searchEmoji, shortcodeOptions, shortcodeQuery } from './search';
import { buildDataset } from './types';

const data = buildDataset(entries);
const glyphs = (list: { emoji: string }[]) => list.map((e) => e.emoji);

test('an exact shortcode or name comes first, then names and keywords that start with the words typed', () => {
  expect(glyphs(searchEmoji(data, 'rocket'))[0]).toBe('🚀');
  expect(glyphs(searchEmoji(data, 'tada'))[0]).toBe('🎉');
  expect(glyphs(searchEmoji(data, ' Rocket '))[0]).toBe('🚀');
  expect(glyphs(searchEmoji(data, ':tada:'))[0]).toBe('🎉');
  // A keyword finds it too, after the names.
  expect(glyphs(searchEmoji(data, 'party'))).toEqual(expect.arrayContaining(['🥳', '🎉']));
  expect(glyphs(searchEmoji(data, 'launch'))).toContain('🚀');
  expect(glyphs(searchEmoji(data, 'thumbs'))[0]).toBe('👍');
});

test('nothing typed, or nothing like it, finds nothing', () => {
  expect(searchEmoji(data, '')).toEqual([]);
  expect(searchEmoji(data, '   ')).toEqual([]);
  expect(searchEmoji(data, 'qqqzzz')).toEqual([]);
});

test('the limit caps the results', () => {
  expect(searchEmoji(data, 'a', 5)).toHaveLength(5);
});

test('a `:word` at the start of a word before the caret is a shortcode being typed', () => {
  expect(shortcodeQuery(':smi', 4)).toEqual({ start: 0, query: 'smi' });
  expect(shortcodeQuery('nice :Tada', 10)).toEqual({ start: 5, query: 'tada' });
  expect(shortcodeQuery('ship it (:rock', 14)).toEqual({ start: 9, query: 'rock' });
  // The caret decides: text after it does not count.
  expect(shortcodeQuery(':tada and more', 5)).toEqual({ start: 0, query: 'tada' });
});

test('times, links, emoticons and a closed `:code:` are not shortcodes being typed', () => {
  expect(shortcodeQuery('at 10:30', 8)).toBeNull();
  expect(shortcodeQuery('see http://x', 12)).toBeNull();
  expect(shortcodeQuery('ok :)', 5)).toBeNull();
  expect(shortcodeQuery('ok :D', 5)).toBeNull();
  expect(shortcodeQuery(':s', 2)).toBeNull();
  expect(shortcodeQuery(':tada:', 6)).toBeNull();
  expect(shortcodeQuery('a:tada', 6)).toBeNull();
});

test('completions list shortcodes that start with the prefix first, shortest first, then ones containing it', () => {
  const smi = shortcodeOptions(data, 'smi');
  expect(smi[0]).toMatchObject({ shortcode: 'smile', entry: { emoji: '😄' } });
  expect(smi.every((o) => o.shortcode.includes('smi'))).toBe(true);
  expect(smi.length).toBeLessThanOrEqual(8);
  expect(shortcodeOptions(data, 'tada')[0]).toMatchObject({ shortcode: 'tada', entry: { emoji: '🎉' } });
  // `thumbsup` and `+1` are one emoji: it is offered once.
  const thumbs = shortcodeOptions(data, 'thumbs').filter((o) => o.entry.emoji === '👍');
  expect(thumbs).toHaveLength(1);
  const inside = shortcodeOptions(data, 'ket');
  expect(inside.map((o) => o.shortcode)).toContain('rocket');
});
