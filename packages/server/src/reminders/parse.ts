import type * as ChronoEn from 'chrono-node/en';
import { AppError } from '../core/errors.js';
import { offsetMinutes } from '../core/zones.js';

/** The latest a reminder may be set for. */
export const MAX_AHEAD_MS = 366 * 24 * 3_600_000;

const HOW = 'Write it as /remind me in 10m check the deploy, /remind me at 14:30 standup, or /remind me tomorrow at 9am call Ada.';

/** chrono-node's English parser, loaded on the first reminder: not every server start pays ~60 ms for it. */
let chrono: Promise<typeof ChronoEn> | null = null;

/**
 * What follows `/remind`: who (only `me`), when and what, in either order (`me in 10m check the
 * deploy`, `me check the deploy in 10 minutes`). The when is read by chrono-node in the writer's
 * time zone, always forward (`at 9am` after 9am is tomorrow).
 */
export async function parseReminder(input: string, now: number, tz: string): Promise<{ text: string; dueAt: number }> {
  let rest = input.trim();
  const who = /^(\S+)\s*/.exec(rest);
  if (who && (who[1]!.startsWith('@') || who[1]!.startsWith('#'))) {
    throw new AppError('invalid_request', `Reminders are for yourself only: /remind me … ${HOW}`, { field: '/body/text' });
  }
  if (who && who[1]!.toLowerCase() === 'me') rest = rest.slice(who[0].length);
  chrono ??= import('chrono-node/en');
  const found = (await chrono).parse(rest, { instant: new Date(now), timezone: offsetMinutes(now, tz) }, { forwardDate: true })[0];
  if (!found) throw new AppError('invalid_request', `When? ${HOW}`, { field: '/body/text' });
  const dueAt = found.start.date().getTime();
  const text = (rest.slice(0, found.index) + rest.slice(found.index + found.text.length))
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(to|that)\s+/i, '');
  if (text === '') throw new AppError('invalid_request', `What should I remind you of? ${HOW}`, { field: '/body/text' });
  if (dueAt <= now) throw new AppError('invalid_request', `That time has passed. ${HOW}`, { field: '/body/text' });
  if (dueAt - now > MAX_AHEAD_MS) throw new AppError('invalid_request', 'A reminder can be at most a year ahead.', { field: '/body/text' });
  return { text, dueAt };
}
