import { useSyncExternalStore } from 'react';
import type { SkinTone } from './types';

/**
 * The picker's memory, per user and per browser (localStorage): the skin tone last chosen and
 * the emoji picked most recently. Recent emoji are kept in their default form, so a new tone
 * applies to them too.
 */
export interface EmojiPrefs {
  tone: SkinTone;
  recent: readonly string[];
}

export const RECENT_MAX = 24;
const EMPTY: EmojiPrefs = { tone: 0, recent: [] };
const key = (userId: string) => `parley.emoji.${userId}`;
const listeners = new Set<() => void>();
const cache = new Map<string, { raw: string | null; prefs: EmojiPrefs }>();

function read(userId: string): EmojiPrefs {
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(key(userId));
  } catch {
    // Storage may be refused (private mode): the picker then forgets on reload.
  }
  const hit = cache.get(userId);
  if (hit && hit.raw === raw) return hit.prefs;
  let prefs = EMPTY;
  try {
    const v = raw ? (JSON.parse(raw) as Partial<EmojiPrefs>) : {};
    const tone = typeof v.tone === 'number' && v.tone >= 0 && v.tone <= 5 ? (Math.floor(v.tone) as SkinTone) : 0;
    const recent = Array.isArray(v.recent) ? v.recent.filter((x): x is string => typeof x === 'string').slice(0, RECENT_MAX) : [];
    prefs = { tone, recent };
  } catch {
    // A damaged entry is replaced on the next pick.
  }
  cache.set(userId, { raw, prefs });
  return prefs;
}

function write(userId: string, prefs: EmojiPrefs): void {
  try {
    localStorage.setItem(key(userId), JSON.stringify(prefs));
  } catch {
    // Quota or privacy mode: kept for this page only.
    cache.set(userId, { raw: null, prefs });
  }
  for (const l of listeners) l();
}

export function emojiPrefs(userId: string): EmojiPrefs {
  return read(userId);
}

/** `emoji` (default form) becomes the most recent; the list keeps RECENT_MAX. */
export function rememberEmoji(userId: string, emoji: string): void {
  const p = read(userId);
  write(userId, { ...p, recent: [emoji, ...p.recent.filter((e) => e !== emoji)].slice(0, RECENT_MAX) });
}

export function setSkinTone(userId: string, tone: SkinTone): void {
  write(userId, { ...read(userId), tone });
}

export function useEmojiPrefs(userId: string): EmojiPrefs {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => read(userId),
  );
}
