import MarkdownIt from 'markdown-it';
import { expect, test } from 'vitest';
import { shortcodeEmoji, shortcodePlugin } from './shortcodes';

// The rule on its own parser (render.ts adds sanitising, which needs a DOM).
const md = new MarkdownIt('default', { html: false }).use(shortcodePlugin);
const render = (s: string) => md.renderInline(s);

test('a known :shortcode: renders as its emoji, in any case, next to punctuation', () => {
  expect(render('shipped :tada:')).toBe('shipped 🎉');
  expect(render(':+1: and :Rocket:!')).toBe('👍 and 🚀!');
  expect(render('(:fire:)')).toBe('(🔥)');
});

test('inside a code span or a code block it stays as typed', () => {
  expect(render('run `:tada:` here')).toBe('run <code>:tada:</code> here');
  expect(md.render('```\n:tada:\n```\n')).toContain(':tada:');
  expect(md.render('```\n:tada:\n```\n')).not.toContain('🎉');
  expect(md.render('    :tada: indented code\n')).not.toContain('🎉');
});

test('unknown words, times and words with colons inside stay as typed', () => {
  expect(render('the :nonsense-word: stays')).toBe('the :nonsense-word: stays');
  expect(render('at 10:30:00')).toBe('at 10:30:00');
  expect(render('key:fire:value')).toBe('key:fire:value');
  expect(render('::tada::')).toBe('::tada::');
});

test('shortcodes beyond the built-in table are unknown until the data set is loaded', () => {
  expect(shortcodeEmoji('tada')).toBe('🎉');
  expect(shortcodeEmoji('penguin')).toBeUndefined();
});
