import { describe, expect, test } from 'vitest';
import { AppError } from '../core/errors.js';
import { parseReminder } from './parse.js';

// Monday 30 November 2026, 23:00 UTC: midnight in Paris, 18:00 in New York.
const now = Date.parse('2026-11-30T23:00:00Z');

describe('/remind reads when and what', () => {
  test.each([
    ['me in 10m check the deploy', 'UTC', '2026-11-30T23:10:00.000Z', 'check the deploy'],
    ['me in 2 hours rotate keys', 'UTC', '2026-12-01T01:00:00.000Z', 'rotate keys'],
    ['me check the deploy in 10 minutes', 'UTC', '2026-11-30T23:10:00.000Z', 'check the deploy'],
    ['me to water the plants in 1h', 'UTC', '2026-12-01T00:00:00.000Z', 'water the plants'],
    ['in 30s ping', 'UTC', '2026-11-30T23:00:30.000Z', 'ping'],
    // Read in the writer's zone: 9am in Paris is 8:00 UTC; in New York "tomorrow" is 1 December.
    ['me tomorrow at 9am standup', 'Europe/Paris', '2026-12-02T08:00:00.000Z', 'standup'],
    ['me tomorrow at 9am standup', 'America/New_York', '2026-12-01T14:00:00.000Z', 'standup'],
    // A time of day already past today is tomorrow.
    ['me at 14:30 review', 'UTC', '2026-12-01T14:30:00.000Z', 'review'],
  ])('%s (%s)', async (input, tz, due, text) => {
    expect(await parseReminder(input, now, tz)).toEqual({ dueAt: Date.parse(due), text });
  });

  test.each([
    ['me check the deploy', /^When\?/],
    ['me in 10m', /^What should I remind you of\?/],
    ['@ada in 10m call', /^Reminders are for yourself only/],
    ['me in 2 years renew', /at most a year ahead/],
  ])('%s is refused, saying why', async (input, message) => {
    let err: unknown;
    try {
      await parseReminder(input, now, 'UTC');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('invalid_request');
    expect((err as AppError).message).toMatch(message);
  });
});
