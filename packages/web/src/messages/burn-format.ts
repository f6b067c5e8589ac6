import type { Translate } from '../i18n/i18n';

const UNITS = [
  ['duration.days', 86_400],
  ['duration.hours', 3_600],
  ['duration.minutes', 60],
] as const;

/**
 * A burn time in words ("1 minute", "90 seconds", "7 days"): the largest unit that says it
 * exactly, as `/burn` takes it, so the badge reads back what the sender typed.
 */
export function durationWords(seconds: number, t: Translate): string {
  for (const [key, size] of UNITS) if (seconds >= size && seconds % size === 0) return t(key, { n: seconds / size });
  return t('duration.seconds', { n: seconds });
}

/**
 * What is left of a reader's time, as a clock: "0:42", "12:05", "1:00:00". Rounded up, so it
 * reads "0:01" until the very end and "0:00" never shows while the content still does. A day
 * or more is said in days: the second hand means nothing then.
 */
export function countdown(ms: number, t: Translate): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  if (total >= 86_400) return t('duration.days', { n: Math.ceil(total / 86_400) });
  const h = Math.floor(total / 3_600);
  const m = Math.floor((total % 3_600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
