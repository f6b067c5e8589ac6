import { expect, test } from 'vitest';
import { plural } from './plural.js';

test('one is singular; zero, fractions and many are plural; irregular plurals are given', () => {
  expect(plural(1, 'message')).toBe('1 message');
  expect(plural(0, 'message')).toBe('0 messages');
  expect(plural(2, 'member')).toBe('2 members');
  expect(plural(0.5, 'message')).toBe('0.5 messages');
  expect(plural(1, 'reply', 'replies')).toBe('1 reply');
  expect(plural(3, 'reply', 'replies')).toBe('3 replies');
});
