import type { Day } from './query.js';

/** Minutes east of UTC that `tz` is at the instant `at`. */
function offsetMinutes(at: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((local - Math.floor(at / 1000) * 1000) / 60_000);
}

/** The instant (ms) the day starts in time zone `tz`; twice corrected, so a DST change that day is honoured. */
export function dayStart(day: Day, tz: string): number {
  const wall = Date.UTC(day.year, day.month - 1, day.day);
  let at = wall - offsetMinutes(wall, tz) * 60_000;
  at = wall - offsetMinutes(at, tz) * 60_000;
  return at;
}
