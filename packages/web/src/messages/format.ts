import { getLanguage, translate, type Translate } from '../i18n/i18n';

/**
 * Constructing an Intl formatter costs far more than formatting with one, and every message row
 * formats times on every render: keep one formatter per language and option set.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${getLanguage()}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(getLanguage(), options)));
  return f;
}

const dayKey = (d: Date) => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;

export function sameDay(a: string | number, b: string | number): boolean {
  return dayKey(new Date(a)) === dayKey(new Date(b));
}

export function dayLabel(iso: string | number): string {
  const d = new Date(iso);
  const now = new Date();
  if (dayKey(d) === dayKey(now)) return translate('conv.today');
  const y = new Date(now);
  y.setDate(now.getDate() - 1);
  if (dayKey(d) === dayKey(y)) return translate('conv.yesterday');
  return formatter({ weekday: 'long', month: 'long', day: 'numeric', ...(d.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}) }).format(d);
}

export function timeLabel(iso: string | number): string {
  return formatter({ hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function fullTime(iso: string | number): string {
  return formatter({ dateStyle: 'full', timeStyle: 'short' }).format(new Date(iso));
}

export function relativeTime(iso: string): string {
  const diff = Date.now() - Date.parse(iso);
  if (diff < 60_000) return translate('time.justNow');
  const rtf = new Intl.RelativeTimeFormat(getLanguage(), { numeric: 'auto' });
  if (diff < 3_600_000) return rtf.format(-Math.round(diff / 60_000), 'minute');
  if (diff < 86_400_000) return rtf.format(-Math.round(diff / 3_600_000), 'hour');
  return rtf.format(-Math.round(diff / 86_400_000), 'day');
}

const SEND_ERRORS = ['forbidden', 'not_member', 'not_found', 'conversation_archived', 'payload_too_large', 'invalid_request'] as const;

/** Why a send was refused, in the reader's language (the stored reason is the error code). */
export function sendErrorText(code: string, t: Translate): string {
  return (SEND_ERRORS as readonly string[]).includes(code) ? t(`sendError.${code as (typeof SEND_ERRORS)[number]}`) : code;
}
