import type { TextRange } from '@parley/protocol';

/**
 * The body with the highlight ranges wrapped by `mark` (UTF-16 offsets, as the server gives them).
 * Ranges out of order, overlapping or past the end are tolerated: a bad range must not hide text.
 */
export function emphasise(body: string, ranges: readonly TextRange[], mark: (s: string) => string): string {
  const sorted = ranges
    .map((r) => ({ start: Math.max(0, Math.min(r.start, body.length)), end: Math.max(0, Math.min(r.end, body.length)) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const r of sorted) {
    const start = Math.max(r.start, at);
    if (r.end <= start) continue;
    out += body.slice(at, start) + mark(body.slice(start, r.end));
    at = r.end;
  }
  return out + body.slice(at);
}

/** Bold and inverse, per line, so a highlight spanning a line break does not bleed into the indent. */
export const ansiMark = (s: string): string =>
  s
    .split('\n')
    .map((line) => (line ? `\x1b[1;7m${line}\x1b[22;27m` : line))
    .join('\n');
