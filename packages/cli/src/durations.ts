import { CliError, Exit } from './errors.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * A point in time as an option gives it, for the server: a duration back from now (`30m`, `24h`,
 * `7d`, `2w`) becomes an ISO time; ISO 8601 text and milliseconds pass through (the server reads
 * them and names a bad one). `1h30m` is not taken: one number, one unit.
 */
export function timeOption(text: string, option: string, now: number = Date.now()): string {
  const t = text.trim();
  const m = /^(\d+)\s*([a-z]+)$/i.exec(t);
  if (!m) return t;
  const unit = m[2]!.toLowerCase();
  if (!(unit in UNIT_MS)) throw new CliError(`${option} ${text}: a duration is a number and one of s, m, h, d, w (30m, 24h, 7d), or give an ISO time.`, Exit.usage);
  return new Date(now - Number(m[1]) * UNIT_MS[unit as keyof typeof UNIT_MS]).toISOString();
}
