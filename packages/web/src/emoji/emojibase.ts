/**
 * Turns Emojibase's data files (`emojibase-data/en/compact.json` and a shortcode preset such as
 * `emojibase-data/en/shortcodes/github.json`) into EmojiEntry. Kept apart from load.ts so the
 * adapter can be tested on a few records in Emojibase's shape, whichever data set is loaded.
 */
import { EMOJI_GROUPS, type EmojiEntry, type EmojiGroup } from './types';

/** The fields Parley reads of one record of Emojibase's compact data set. */
export interface EmojibaseCompact {
  label: string;
  hexcode: string;
  unicode: string;
  /** 0 smileys-emotion, 1 people-body, 2 component, 3 animals-nature, 4 food-drink, 5 travel-places, 6 activities, 7 objects, 8 symbols, 9 flags. */
  group?: number;
  order?: number;
  tags?: string[];
  /** Toned forms; the compact set names the tone only through the hexcode's modifier (1F3FB…1F3FF). */
  skins?: { unicode: string; hexcode?: string; tone?: number | number[] }[];
}

/** Hexcode to one shortcode or several, as Emojibase's shortcode presets are written. */
export type EmojibaseShortcodes = Record<string, string | string[]>;

const GROUPS: Record<number, EmojiGroup | undefined> = { 0: 'smileys', 1: 'people', 3: 'nature', 4: 'food', 5: 'travel', 6: 'activities', 7: 'objects', 8: 'symbols', 9: 'flags' };

const MODIFIERS = ['1F3FB', '1F3FC', '1F3FD', '1F3FE', '1F3FF'];

/** The skin tone (1 light … 5 dark) of a toned form, from its hexcode; null for two tones or none. */
function toneOf(skin: { hexcode?: string; tone?: number | number[] }): number | null {
  if (typeof skin.tone === 'number') return skin.tone;
  if (Array.isArray(skin.tone) || !skin.hexcode) return null;
  const tones = new Set(skin.hexcode.split('-').filter((h) => MODIFIERS.includes(h)));
  return tones.size === 1 ? MODIFIERS.indexOf([...tones][0]!) + 1 : null;
}

/**
 * Unicode's fully-qualified form. Emojibase writes U+FE0F after every emoji, but one that is drawn
 * as an emoji by default (Emoji_Presentation) is written without it: 👍, not 👍 + FE0F. Reactions
 * are keyed by the exact string, so the picker must give the form the CLI, bots and other clients
 * send, or one 👍 would count apart from the other.
 */
export function fullyQualified(unicode: string): string {
  if (!unicode.endsWith('\uFE0F')) return unicode;
  const base = unicode.slice(0, -1);
  return [...base].length === 1 && /^\p{Emoji_Presentation}$/u.test(base) ? base : unicode;
}

export function fromEmojibase(records: readonly EmojibaseCompact[], shortcodes: EmojibaseShortcodes): EmojiEntry[] {
  const out: EmojiEntry[] = [];
  const sorted = [...records].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  for (const r of sorted) {
    // Group 2 holds the bare skin-tone and hair components, never picked on their own.
    const group = r.group === undefined ? undefined : GROUPS[r.group];
    if (!group) continue;
    const codes = shortcodes[r.hexcode];
    // Only the five single-tone forms (a handshake of two tones is not one of them).
    const skins = (r.skins ?? [])
      .map((s) => ({ unicode: s.unicode, tone: toneOf(s) }))
      .filter((s): s is { unicode: string; tone: number } => s.tone !== null)
      .sort((a, b) => a.tone - b.tone);
    out.push({
      emoji: fullyQualified(r.unicode),
      label: r.label,
      group,
      shortcodes: codes === undefined ? [] : Array.isArray(codes) ? codes : [codes],
      keywords: r.tags ?? [],
      ...(skins.length === 5 ? { skins: skins.map((s) => s.unicode) } : {}),
    });
  }
  return out.sort((a, b) => EMOJI_GROUPS.indexOf(a.group) - EMOJI_GROUPS.indexOf(b.group));
}
