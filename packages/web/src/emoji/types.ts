/**
 * What the picker, the `:shortcode:` completion and the renderer need to know of an emoji. Any
 * emoji data set (see load.ts) is turned into this shape, so the UI never depends on one
 * library's file format.
 */

export const EMOJI_GROUPS = ['smileys', 'people', 'nature', 'food', 'travel', 'activities', 'objects', 'symbols', 'flags'] as const;
export type EmojiGroup = (typeof EMOJI_GROUPS)[number];

export interface EmojiEntry {
  /** The emoji as sent, in its default (yellow) form. */
  emoji: string;
  /** Human words for it ("rocket", "thumbs up"): its accessible name and what search matches first. */
  label: string;
  group: EmojiGroup;
  /** Without colons, most used first: `tada`, `+1`. */
  shortcodes: readonly string[];
  /** More words that find it ("party", "celebrate"). */
  keywords: readonly string[];
  /** Five skin-tone forms, light to dark, for emoji that take one. */
  skins?: readonly string[];
}

export interface EmojiDataset {
  entries: readonly EmojiEntry[];
  /** Shortcode (lower case) to its entry. */
  byShortcode: ReadonlyMap<string, EmojiEntry>;
  /** Any form of an emoji (default or toned, with or without U+FE0F) to its entry. */
  byEmoji: ReadonlyMap<string, EmojiEntry>;
}

/** 0 is the default (no skin tone); 1–5 are light to dark (Fitzpatrick 1-2 … 6). */
export type SkinTone = 0 | 1 | 2 | 3 | 4 | 5;

const VS16 = /\uFE0F/g;

/** Indexes entries by shortcode and by emoji; the first entry to claim a shortcode keeps it. */
export function buildDataset(entries: readonly EmojiEntry[]): EmojiDataset {
  const byShortcode = new Map<string, EmojiEntry>();
  const byEmoji = new Map<string, EmojiEntry>();
  for (const e of entries) {
    for (const s of e.shortcodes) if (!byShortcode.has(s.toLowerCase())) byShortcode.set(s.toLowerCase(), e);
    for (const form of [e.emoji, ...(e.skins ?? [])]) {
      if (!byEmoji.has(form)) byEmoji.set(form, e);
      const bare = form.replace(VS16, '');
      if (!byEmoji.has(bare)) byEmoji.set(bare, e);
    }
  }
  return { entries, byShortcode, byEmoji };
}

/** The form of an entry in a skin tone (the default form when it takes none). */
export function withTone(entry: EmojiEntry, tone: SkinTone): string {
  return tone === 0 || !entry.skins ? entry.emoji : (entry.skins[tone - 1] ?? entry.emoji);
}
