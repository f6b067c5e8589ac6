import { burnAfterSeconds } from '@parley/protocol';
import { CliError, Exit } from './errors.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Milliseconds of a duration as an option gives it (`30m`, `24h`, `7d`, `2w`); null when the text is not a number and a unit. */
function durationMs(text: string, option: string): number | null {
  const m = /^(\d+)\s*([a-z]+)$/i.exec(text.trim());
  if (!m) return null;
  const unit = m[2]!.toLowerCase();
  if (!(unit in UNIT_MS)) throw new CliError(`${option} ${text}: a duration is a number and one of s, m, h, d, w (30m, 24h, 7d), or give an ISO time.`, Exit.usage);
  return Number(m[1]) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

/**
 * A point in time as an option gives it, for the server: a duration back from now (`30m`, `24h`,
 * `7d`, `2w`) becomes an ISO time; ISO 8601 text and milliseconds pass through (the server reads
 * them and names a bad one). `1h30m` is not taken: one number, one unit.
 */
export function timeOption(text: string, option: string, now: number = Date.now()): string {
  const ms = durationMs(text, option);
  if (ms === null) return text.trim();
  return new Date(now - ms).toISOString();
}

/**
 * A point in the future as an option gives it: a duration from now (`30m`, `2h`, `7d`) or a time
 * (ISO 8601, `2026-12-01T18:00:00Z`, or the date and local time `2026-12-01 18:00`), as an ISO
 * time. Anything else, or a time already past, is a usage error naming the option.
 */
export function futureTimeOption(text: string, option: string, now: number = Date.now()): string {
  const ms = durationMs(text, option);
  if (ms !== null) {
    if (ms <= 0) throw new CliError(`${option} ${text}: the duration must be more than zero.`, Exit.usage);
    return new Date(now + ms).toISOString();
  }
  const t = text.trim();
  // A bare number is neither: seconds or milliseconds would be a guess.
  const at = /^\d+$/.test(t) ? NaN : Date.parse(t);
  if (!Number.isFinite(at)) throw new CliError(`${option} ${text}: give a duration from now (30m, 2h, 7d) or an ISO time (2026-12-01T18:00:00Z).`, Exit.usage);
  if (at <= now) throw new CliError(`${option} ${text}: that time has passed; it must be in the future.`, Exit.usage);
  return new Date(at).toISOString();
}

/**
 * A burn-after-reading timer as `--burn` gives it: seconds (`90`) or one number and a unit of s,
 * m, h or d (`30s`, `1m`, `2h`, `7d`), as the server takes it. The server holds it to its range.
 */
export function burnOption(text: string, option = '--burn'): number | string {
  const t = text.trim();
  const value = /^\d+$/.test(t) ? Number(t) : t.toLowerCase();
  if (burnAfterSeconds(value) === null) throw new CliError(`${option} ${text}: give seconds or a number and one of s, m, h, d (30s, 1m, 2h, 7d).`, Exit.usage);
  return value;
}

/** A message window as an option gives it: a duration (`10m`, `2h`, `1d`), `0`, or `unlimited` (null); milliseconds for the server. */
export function windowOption(text: string, option: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'unlimited') return null;
  if (t === '0') return 0;
  const ms = durationMs(t, option);
  if (ms === null) throw new CliError(`${option} ${text}: give a duration (10m, 2h, 1d), 0, or unlimited.`, Exit.usage);
  return ms;
}

/** How a window reads back: `10m`, `unlimited`. */
export function windowText(ms: number | null): string {
  if (ms === null) return 'unlimited';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
