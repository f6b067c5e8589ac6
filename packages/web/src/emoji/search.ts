import type { EmojiDataset, EmojiEntry } from './types';

/**
 * The emoji whose shortcodes, label or keywords match what was typed, best first: an exact
 * shortcode, then a shortcode that starts with the query, then a word of the label or a keyword
 * that does, then any that contains it. Ties keep the data set's order (the picker's order).
 */
export function searchEmoji(data: EmojiDataset, typed: string, limit = 120): EmojiEntry[] {
  const q = typed.trim().toLowerCase().replace(/^:|:$/g, '').replace(/\s+/g, ' ');
  if (!q) return [];
  const scored: { e: EmojiEntry; score: number; i: number }[] = [];
  data.entries.forEach((e, i) => {
    const score = rank(e, q);
    if (score !== null) scored.push({ e, score, i });
  });
  scored.sort((a, b) => a.score - b.score || a.i - b.i);
  return scored.slice(0, limit).map((s) => s.e);
}

function rank(e: EmojiEntry, q: string): number | null {
  const label = e.label.toLowerCase();
  if (e.shortcodes.includes(q) || label === q) return 0;
  if (e.shortcodes.some((s) => s.startsWith(q))) return 1;
  if (label.startsWith(q)) return 2;
  if (label.split(/[\s_-]+/).some((w) => w.startsWith(q))) return 3;
  if (e.keywords.some((k) => k.toLowerCase().startsWith(q))) return 4;
  if (e.shortcodes.some((s) => s.includes(q)) || label.includes(q)) return 5;
  return null;
}

/**
 * The `:prefix` being typed right before the caret, or null. It starts a word (so `10:30` and
 * `http://` are not one) and needs two characters, as in Slack: `:)` and `:D` stay as typed.
 */
export function shortcodeQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|[\s([{"'])(:([a-z0-9_+-]{2,48}))$/i.exec(before);
  if (!m) return null;
  return { start: caret - m[2]!.length, query: m[3]!.toLowerCase() };
}

export interface ShortcodeOption {
  /** The shortcode that matched (one entry may have several). */
  shortcode: string;
  entry: EmojiEntry;
}

/** Completions for a `:prefix`: shortcodes starting with it first (shortest first), then ones containing it. */
export function shortcodeOptions(data: EmojiDataset, query: string, limit = 8): ShortcodeOption[] {
  const q = query.toLowerCase();
  const starts: ShortcodeOption[] = [];
  const contains: ShortcodeOption[] = [];
  for (const entry of data.entries) {
    const codes = entry.shortcodes.map((s) => s.toLowerCase());
    const first = codes.filter((s) => s.startsWith(q)).sort((a, b) => a.length - b.length)[0];
    if (first !== undefined) starts.push({ shortcode: first, entry });
    else {
      const inside = codes.find((s) => s.includes(q));
      if (inside !== undefined) contains.push({ shortcode: inside, entry });
    }
  }
  starts.sort((a, b) => a.shortcode.length - b.shortcode.length || a.shortcode.localeCompare(b.shortcode));
  return [...starts, ...contains].slice(0, limit);
}
