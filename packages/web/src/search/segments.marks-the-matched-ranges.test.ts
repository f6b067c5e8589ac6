import { expect, test } from 'vitest';
import { markSegments, snippet } from './segments';

const show = (segs: { text: string; marked: boolean }[]) => segs.map((s) => (s.marked ? `[${s.text}]` : s.text)).join('');

test('cuts the body into plain and marked pieces at the ranges', () => {
  expect(markSegments('今天的部署失败了', [{ start: 3, end: 5 }])).toEqual([
    { text: '今天的', marked: false },
    { text: '部署', marked: true },
    { text: '失败了', marked: false },
  ]);
});

test('sorts, merges overlapping ranges and clips ranges past the end; nothing is lost or repeated', () => {
  const body = 'deploy failed twice';
  const segs = markSegments(body, [
    { start: 14, end: 99 },
    { start: 0, end: 4 },
    { start: 2, end: 6 },
    { start: 8, end: 8 },
  ]);
  expect(show(segs)).toBe('[deploy] failed [twice]');
  expect(segs.map((s) => s.text).join('')).toBe(body);
});

test('a body without ranges is one plain piece; an empty body is none', () => {
  expect(markSegments('hello', [])).toEqual([{ text: 'hello', marked: false }]);
  expect(markSegments('', [{ start: 0, end: 3 }])).toEqual([]);
});

test('a long body is cut around its first match, the cuts flagged, the ranges still on the match', () => {
  const body = `${'x'.repeat(300)} ECONNREFUSED ${'y'.repeat(300)}`;
  const s = snippet(body, [{ start: 301, end: 313 }], 100, 20);
  expect(s.cutStart).toBe(true);
  expect(s.cutEnd).toBe(true);
  expect(s.segments.filter((x) => x.marked).map((x) => x.text)).toEqual(['ECONNREFUSED']);
  expect(s.segments.map((x) => x.text).join('')).toHaveLength(100);
});

test('a short body is whole; line breaks become spaces without moving the marks', () => {
  const s = snippet('first line\n部署 second', [{ start: 11, end: 13 }]);
  expect(s.cutStart || s.cutEnd).toBe(false);
  expect(show(s.segments)).toBe('first line [部署] second');
});

test('never cuts an emoji in half', () => {
  const body = `${'a'.repeat(9)}😀${'b'.repeat(20)}`;
  const s = snippet(body, [{ start: 13, end: 14 }], 10, 3);
  const text = s.segments.map((x) => x.text).join('');
  expect(text.startsWith('😀')).toBe(true);
  expect(s.segments.find((x) => x.marked)?.text).toBe('b');
});
