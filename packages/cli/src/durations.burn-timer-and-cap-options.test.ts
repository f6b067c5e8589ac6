import { expect, test } from 'vitest';
import { CliError } from './errors.js';
import { burnOption, futureTimeOption } from './durations.js';

const now = Date.parse('2026-12-01T12:00:00.000Z');

test('--burn-cap: a duration counts forward from now; a time is taken as given, as an ISO time', () => {
  expect(futureTimeOption('2h', '--burn-cap', now)).toBe('2026-12-01T14:00:00.000Z');
  expect(futureTimeOption('30m', '--burn-cap', now)).toBe('2026-12-01T12:30:00.000Z');
  expect(futureTimeOption('7D', '--burn-cap', now)).toBe('2026-12-08T12:00:00.000Z');
  expect(futureTimeOption('2026-12-01T18:00:00+01:00', '--burn-cap', now)).toBe('2026-12-01T17:00:00.000Z');
});

test('--burn-cap: a past time, no duration, a bare number or an unknown unit is a usage error naming the option', () => {
  for (const bad of ['2026-12-01T11:59:59Z', '0m', 'soon', '3600', '2x']) {
    expect(() => futureTimeOption(bad, '--burn-cap', now), bad).toThrow(CliError);
    expect(() => futureTimeOption(bad, '--burn-cap', now), bad).toThrow(new RegExp(`^--burn-cap ${bad}`));
  }
  const thrown = (() => {
    try {
      futureTimeOption('soon', '--burn-cap', now);
    } catch (e) {
      return e;
    }
    return null;
  })();
  expect(thrown).toBeInstanceOf(CliError);
  expect((thrown as CliError).exitCode).toBe(2);
});

test('--burn: seconds or one number and s, m, h or d, as the server takes them', () => {
  expect(burnOption('90')).toBe(90);
  expect(burnOption('30s')).toBe('30s');
  expect(burnOption(' 1M ')).toBe('1m');
  expect(burnOption('7d')).toBe('7d');
  for (const bad of ['0', '1w', '1h30m', '-5', 'x', '01m', '1.5h', '']) {
    expect(() => burnOption(bad), bad).toThrow(CliError);
  }
});
