import { expect, test } from 'vitest';
import { CliError } from './errors.js';
import { timeOption } from './durations.js';

const now = Date.parse('2026-12-01T12:00:00.000Z');

test('30m, 24h, 7d and 2w are that long before now, as ISO times', () => {
  expect(timeOption('30m', '--since', now)).toBe('2026-12-01T11:30:00.000Z');
  expect(timeOption('24h', '--since', now)).toBe('2026-11-30T12:00:00.000Z');
  expect(timeOption('7d', '--since', now)).toBe('2026-11-24T12:00:00.000Z');
  expect(timeOption('2W', '--since', now)).toBe('2026-11-17T12:00:00.000Z');
  expect(timeOption('45s', '--since', now)).toBe('2026-12-01T11:59:15.000Z');
});

test('ISO times and milliseconds go to the server as given', () => {
  expect(timeOption('2026-11-30T08:00:00Z', '--since', now)).toBe('2026-11-30T08:00:00Z');
  expect(timeOption(' 1764590400000 ', '--until', now)).toBe('1764590400000');
});

test('an unknown unit is a usage error naming the option', () => {
  expect(() => timeOption('24x', '--since', now)).toThrow(CliError);
  expect(() => timeOption('3 months', '--until', now)).toThrow(/--until 3 months/);
});
