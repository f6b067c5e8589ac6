import { expect, test } from 'vitest';
import { normaliseTag, parseTags, tagsOfSend } from './parse.js';

test('#words become tags, folded to lower case, in order, once each', () => {
  expect(parseTags('Deploy failed #Deploy #bug, again #deploy (#hotfix) [#ops]')).toEqual(['deploy', 'bug', 'hotfix', 'ops']);
  expect(parseTags('上线 #部署 完成')).toEqual(['部署']);
  expect(parseTags('#release-2.3. shipped')).toEqual(['release-2.3']);
});

test('what only looks like a tag is not one: code, numbers, C#, anchors, entities, headings', () => {
  expect(parseTags('fixed in #42 and #1234')).toEqual([]);
  expect(parseTags('written in C# and F#')).toEqual([]);
  expect(parseTags('see https://example.com/docs#install and a/#b')).toEqual([]);
  expect(parseTags('&#39; and ##double')).toEqual([]);
  expect(parseTags('# Heading\n`#inline` and\n```\n#block\n```')).toEqual([]);
});

test('a body names at most ten tags; a send adds its own without repeating', () => {
  expect(parseTags(Array.from({ length: 15 }, (_, i) => `#t${i}`).join(' '))).toHaveLength(10);
  expect(tagsOfSend('#ci failed', ['alert', 'ci'])).toEqual(['ci', 'alert']);
});

test('a typed tag is folded, and one that cannot be a tag is a typed 400', () => {
  expect(normaliseTag('#Bug')).toBe('bug');
  expect(normaliseTag(' deploy-prod ')).toBe('deploy-prod');
  for (const bad of ['', '#', '42', 'two words', 'a'.repeat(51), 'semi;colon']) {
    expect(() => normaliseTag(bad)).toThrowError(expect.objectContaining({ code: 'invalid_request', extra: { field: '/tag' } }));
  }
});
