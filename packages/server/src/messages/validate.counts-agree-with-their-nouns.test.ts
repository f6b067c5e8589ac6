import { expect, test } from 'vitest';
import { checkBody, sendRateLimited } from './validate.js';

test('limit messages say "1 character" and "1 message", not "1 characters"', () => {
  expect(() => checkBody('ab', 1)).toThrow('A message has at most 1 character.');
  expect(() => checkBody('abc', 2)).toThrow('A message has at most 2 characters.');
  expect(sendRateLimited(1, 1000).message).toBe('Slow down: at most 1 message per second.');
  expect(sendRateLimited(0.5, 1000).message).toBe('Slow down: at most 0.5 messages per second.');
});
