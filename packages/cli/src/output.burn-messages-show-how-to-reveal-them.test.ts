import { expect, test } from 'vitest';
import type { Message } from '@parley/protocol';
import { testMessage } from '@parley/protocol/testing';
import { bodyText, inText } from './output.js';

const base: Message = testMessage({
  id: '01JDV7ZZZZZZZZZZZZZZZZZZZZ',
  conv_id: '01JDV7YYYYYYYYYYYYYYYYYYYY',
  seq: 7,
  sender_id: '01JDV7XXXXXXXXXXXXXXXXXXXX',
  client_msg_id: 'c1',
  body: 'hello',
  created_at: '2026-12-01T12:00:00.000Z',
});

test('a burn message shows its timer and the command that reveals it; once burned, that it burned', () => {
  expect(bodyText(base)).toBe('hello');
  const burn = { ...base, body: '', burn: { after_s: 60, expires_at: '2026-12-08T12:00:00.000Z', burned_at: null } };
  expect(bodyText(burn)).toBe(`🔥 burns 1m after reading — parley reveal ${base.id}`);
  expect(bodyText({ ...burn, burn: { ...burn.burn, after_s: 90 } })).toBe(`🔥 burns 90s after reading — parley reveal ${base.id}`);
  expect(bodyText({ ...burn, burn: { ...burn.burn, burned_at: '2026-12-01T12:05:00.000Z' } })).toBe('🔥 burned after reading');
  expect(bodyText({ ...burn, recalled: true })).toBe('(message recalled)');
});

test('how far away a time is, in the unit people would use', () => {
  expect(inText(59_400)).toBe('in 59 s');
  expect(inText(-3_000)).toBe('in 0 s');
  expect(inText(5 * 60_000)).toBe('in 5 min');
  expect(inText(3 * 3_600_000)).toBe('in 3 h');
  expect(inText(7 * 86_400_000)).toBe('in 7 d');
});
