import type { User } from '@parley/protocol';

/** When a status set in the profile clears: never, after a while, at the end of today or of this week. */
export const EXPIRY_CHOICES = ['never', '30m', '1h', '4h', 'today', 'week'] as const;
export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number];

/** The status's end for a choice, as an ISO time (null: it stays); "today" and "this week" end at local midnight. */
export function expiryFor(choice: ExpiryChoice, now: Date = new Date()): string | null {
  const at = new Date(now);
  switch (choice) {
    case 'never':
      return null;
    case '30m':
      return new Date(now.getTime() + 30 * 60_000).toISOString();
    case '1h':
      return new Date(now.getTime() + 3_600_000).toISOString();
    case '4h':
      return new Date(now.getTime() + 4 * 3_600_000).toISOString();
    case 'today':
      at.setHours(24, 0, 0, 0);
      return at.toISOString();
    case 'week':
      // The week ends on Sunday night (Monday 00:00), as most calendars outside the US have it.
      at.setHours(24 * (((7 - at.getDay()) % 7) + 1), 0, 0, 0);
      return at.toISOString();
  }
}

/** The status to show, or null when there is none or it has expired (the server's sweep may not have run yet). */
export function shownStatus(u: Pick<User, 'status_text' | 'status_emoji' | 'status_expires_at'> | undefined, now: number = Date.now()): { emoji: string | null; text: string | null } | null {
  if (!u || (!u.status_text && !u.status_emoji)) return null;
  if (u.status_expires_at && Date.parse(u.status_expires_at) <= now) return null;
  return { emoji: u.status_emoji, text: u.status_text };
}

/** The time now in a time zone, in the reader's language ("3:42 PM"); null for a zone this browser does not know. */
export function localTimeIn(zone: string | null, locale: string, now: Date = new Date()): string | null {
  if (!zone) return null;
  try {
    return new Intl.DateTimeFormat(locale, { timeZone: zone, hour: 'numeric', minute: '2-digit' }).format(now);
  } catch {
    return null;
  }
}

/** This browser's time zone, the default for a profile that has none. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Every IANA zone this browser knows, for the time zone picker. */
export function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: 'timeZone') => string[] };
  const all = intl.supportedValuesOf?.('timeZone') ?? [];
  const mine = browserTimeZone();
  return all.includes(mine) ? all : [mine, ...all];
}
