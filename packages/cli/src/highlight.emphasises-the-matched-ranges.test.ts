import { expect, test } from 'vitest';
import { ansiMark, emphasise } from './highlight.js';

const brackets = (s: string) => `<${s}>`;

test('wraps each range, in order, whatever order they come in', () => {
  expect(
    emphasise(
      '今天的部署失败了，部署',
      [
        { start: 9, end: 11 },
        { start: 3, end: 5 },
      ],
      brackets,
    ),
  ).toBe('今天的<部署>失败了，<部署>');
});

test('tolerates overlapping, empty and out-of-range ranges without losing text', () => {
  expect(
    emphasise(
      'deploy failed',
      [
        { start: 0, end: 4 },
        { start: 2, end: 6 },
        { start: 7, end: 7 },
        { start: 10, end: 99 },
      ],
      brackets,
    ),
  ).toBe('<depl><oy> fai<led>');
});

test('offsets are UTF-16 units, so text after an emoji lines up', () => {
  const body = '🚀 deploy';
  expect(emphasise(body, [{ start: 3, end: 9 }], brackets)).toBe('🚀 <deploy>');
});

test('on a terminal the match is bold and inverse, line by line', () => {
  expect(emphasise('a bc\nd', [{ start: 2, end: 6 }], ansiMark)).toBe('a \x1b[1;7mbc\x1b[22;27m\n\x1b[1;7md\x1b[22;27m');
});
