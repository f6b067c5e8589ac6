import type { TextQuery, TermMatch } from './compile.js';
import { tokenize } from './terms.js';

export interface Range {
  start: number;
  end: number;
}

/**
 * Where the query's terms stand in a message's text, found by the same tokenizer as the index,
 * so a highlight marks exactly what matched: the characters of a phrase's tokens, a prefix's
 * token, an identifier's joined spelling. Ranges are sorted and merged.
 */
export function highlights(body: string, q: TextQuery): Range[] {
  const { seq, joined } = tokenize(body);
  const found: Range[] = [];
  const one = (m: TermMatch) => {
    const n = m.tokens.length;
    for (let i = 0; i + n <= seq.length; i++) {
      let ok = true;
      for (let k = 0; k < n && ok; k++) {
        const want = m.tokens[k]!;
        const have = seq[i + k]!.term;
        ok = m.prefix && k === n - 1 ? have.startsWith(want) : have === want;
      }
      if (ok) found.push({ start: seq[i]!.start, end: seq[i + n - 1]!.end });
    }
    if (m.joined) for (const t of joined) if (t.term === m.joined) found.push({ start: t.start, end: t.end });
  };
  q.include.forEach(one);
  found.sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Range[] = [];
  for (const r of found) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged;
}
