import { Type } from '@sinclair/typebox';
import { Timestamp } from './entities.js';

/**
 * How long a burn-after-reading message stays readable once revealed: seconds, or a duration
 * as people type it (`30s`, `1m`, `2h`, `7d`). The server holds it to its configured range
 * (30 s to 7 days by default) with a typed error naming the range.
 */
export const BurnAfter = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^[1-9][0-9]{0,6}[smhd]$' })], {
  description: 'Seconds (integer) or a duration such as "30s", "1m", "2h", "7d"',
});

/** The absolute cap a sender may set on a burn message: gone at this time, read or not. */
export const BurnExpiresAt = Timestamp;

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** Seconds of a `BurnAfter`, or null when it is not one (`90`, `"1m"` → 60; `"1w"`, `0`, `"x"` → null). */
export function burnAfterSeconds(v: number | string): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : null;
  const m = /^([1-9][0-9]{0,6})([smhd])$/.exec(v.trim());
  return m ? Number(m[1]) * UNIT_S[m[2]!]! : null;
}

/** The shortest way to say a number of seconds as a `BurnAfter` (60 → "1m", 90 → "90s"). */
export function formatBurnAfter(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
