import type { TextRange } from '@parley/protocol';

export interface Segment {
  text: string;
  marked: boolean;
}

const isLowSurrogate = (s: string, i: number) => i > 0 && i < s.length && /[\uDC00-\uDFFF]/.test(s[i]!);

/** Ranges clipped to the text, sorted, overlaps merged: bad ranges must never hide or repeat text. */
function clean(ranges: readonly TextRange[], length: number): TextRange[] {
  const sorted = ranges
    .map((r) => ({ start: Math.max(0, Math.min(r.start, length)), end: Math.max(0, Math.min(r.end, length)) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const out: TextRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** The text cut into plain and marked pieces by the highlight ranges (UTF-16 offsets, end exclusive). */
export function markSegments(text: string, ranges: readonly TextRange[]): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const r of clean(ranges, text.length)) {
    if (r.start > at) out.push({ text: text.slice(at, r.start), marked: false });
    out.push({ text: text.slice(r.start, r.end), marked: true });
    at = r.end;
  }
  if (at < text.length) out.push({ text: text.slice(at), marked: false });
  return out;
}

export interface Snippet {
  segments: Segment[];
  /** Text was left out before / after the snippet. */
  cutStart: boolean;
  cutEnd: boolean;
}

/**
 * At most `max` characters of a long body, starting a little before its first match so the
 * match is in view, with line breaks flattened to spaces; never splits a surrogate pair.
 */
export function snippet(body: string, ranges: readonly TextRange[], max = 200, lead = 40): Snippet {
  const rs = clean(ranges, body.length);
  let start = 0;
  if (body.length > max && rs[0]) start = Math.max(0, Math.min(rs[0].start - lead, body.length - max));
  let end = Math.min(body.length, start + max);
  if (isLowSurrogate(body, start)) start--;
  if (isLowSurrogate(body, end)) end--;
  const shifted = rs.map((r) => ({ start: r.start - start, end: r.end - start }));
  const text = body.slice(start, end).replace(/\s*\n\s*/g, (m) => ' '.padEnd(m.length, ' '));
  return { segments: markSegments(text, shifted), cutStart: start > 0, cutEnd: end < body.length };
}
