import type { Day } from './query.js';
import { offsetMinutes } from '../core/zones.js';

/** The instant (ms) the day starts in time zone `tz`; twice corrected, so a DST change that day is honoured. */
export function dayStart(day: Day, tz: string): number {
  const wall = Date.UTC(day.year, day.month - 1, day.day);
  let at = wall - offsetMinutes(wall, tz) * 60_000;
  at = wall - offsetMinutes(at, tz) * 60_000;
  return at;
}
