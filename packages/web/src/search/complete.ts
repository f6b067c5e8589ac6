/**
 * Autocompletion of the `from:` and `in:` filters in a search query: which filter the caret is
 * in, and the query once a suggestion is picked.
 */

export interface FilterAtCaret {
  key: 'from' | 'in';
  /** What is typed after the colon, up to the caret, without a leading `@`/`#`. */
  prefix: string;
  /** The sigil typed, if any: `in:#` wants channels, `in:@` direct conversations. */
  sigil: '@' | '#' | null;
  /** The whole filter item's extent in the query (the item ends at the next space). */
  start: number;
  end: number;
}

/** The `from:` / `in:` filter the caret is in, or null (plain words, phrases, other filters). */
export function filterAt(query: string, caret: number): FilterAtCaret | null {
  let start = caret;
  while (start > 0 && !/\s/.test(query[start - 1]!)) start--;
  let end = caret;
  while (end < query.length && !/\s/.test(query[end]!)) end++;
  // Inside a quoted phrase a filter is text: count the quotes before the item.
  if ((query.slice(0, start).match(/"/g)?.length ?? 0) % 2 === 1) return null;
  const m = /^(from|in):([@#]?)(.*)$/i.exec(query.slice(start, caret));
  if (!m) return null;
  const key = m[1]!.toLowerCase() as 'from' | 'in';
  const sigil = (m[2] || null) as '@' | '#' | null;
  if (key === 'from' && sigil === '#') return null;
  return { key, prefix: m[3]!.toLowerCase(), sigil, start, end };
}

/** The query with the filter replaced by the pick (`@alice`, `#ops`), followed by one space, and where the caret goes. */
export function applyPick(query: string, at: FilterAtCaret, value: string): { query: string; caret: number } {
  const item = `${at.key}:${value}`;
  const rest = query.slice(at.end).replace(/^\s*/, '');
  const next = `${query.slice(0, at.start)}${item} ${rest}`;
  return { query: next, caret: at.start + item.length + 1 };
}

/** Whether `name` matches what was typed: a prefix of the name or of one of its words. */
export function matchesPrefix(name: string, prefix: string): boolean {
  if (!prefix) return true;
  const n = name.toLowerCase();
  return n.startsWith(prefix) || n.split(/[\s._-]+/).some((w) => w.startsWith(prefix));
}
