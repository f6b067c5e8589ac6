import type { ParsedQuery, QueryText } from './query.js';
import { QuerySyntaxError } from './query.js';
import { tokenize } from './terms.js';

/**
 * One query term as index terms: a phrase of tokens (a single token is a phrase of one), the last
 * one possibly a prefix (a lone CJK character, which the index holds only inside pairs), and for
 * an identifier its joined spelling as an alternative (`getUserId` also finds `getuserid`).
 */
export interface TermMatch {
  tokens: string[];
  prefix: boolean;
  joined: string | null;
}

/** The term's tokens as a query: a CJK run of two or more characters is its pairs alone. */
export function termMatch(term: QueryText): TermMatch | null {
  const { seq, joined } = tokenize(term.text);
  const kept = seq.filter((t, i) => !(t.cjk === 'last' && i > 0 && seq[i - 1]!.cjk === 'pair' && seq[i - 1]!.end === t.end));
  if (kept.length === 0) return null;
  const last = kept[kept.length - 1]!;
  return {
    tokens: kept.map((t) => t.term),
    prefix: last.cjk === 'last',
    joined: !term.phrase && joined.length === 1 && seq.every((t) => !t.cjk) ? joined[0]!.term : null,
  };
}

/** The text part of a query: what must match and what must not; null when the query has filters only. */
export interface TextQuery {
  include: TermMatch[];
  exclude: TermMatch[];
}

export function textQuery(q: ParsedQuery): TextQuery | null {
  const include = q.include.map(termMatch).filter((m): m is TermMatch => m !== null);
  const exclude = q.exclude.map(termMatch).filter((m): m is TermMatch => m !== null);
  if (include.length === 0) {
    if (q.include.length > 0 && !hasFilters(q)) throw new QuerySyntaxError(`"${q.include.map((t) => t.text).join(' ')}" has no letters or digits to search for.`);
    if (exclude.length > 0) throw new QuerySyntaxError('Say what to find as well as what to leave out.');
    return null;
  }
  return { include, exclude };
}

function hasFilters(q: ParsedQuery): boolean {
  return q.from.length + q.in.length + q.has.length + q.tags.length > 0 || q.before !== null || q.after !== null || q.on !== null || q.isThread || q.mentionsMe;
}

/*
 * Tokens are letters and digits only (terms.ts), so quoting them needs no escaping in either
 * language; the quotes are there so FTS5 never reads a token as an operator (AND, OR, NOT, NEAR).
 */

/** FTS5 MATCH syntax over the columns `body` (token sequence) and `joined`. */
export function toFts5(q: TextQuery): string {
  const one = (m: TermMatch) => {
    // A single token may be an identifier's joined spelling (column `joined`); a phrase is in the sequence only.
    const phrase = `${m.tokens.length > 1 ? 'body : ' : ''}"${m.tokens.join(' ')}"${m.prefix ? '*' : ''}`;
    return m.joined ? `(${phrase} OR "${m.joined}")` : phrase;
  };
  const include = q.include.map(one).join(' AND ');
  return q.exclude.length ? `(${include}) NOT (${q.exclude.map(one).join(' OR ')})` : include;
}

/** PostgreSQL tsquery syntax, against the tsvector literal built by `toTsvector`. */
export function toTsquery(q: TextQuery): string {
  const one = (m: TermMatch) => {
    const phrase = m.tokens.map((t, i) => `'${t}'${m.prefix && i === m.tokens.length - 1 ? ':*' : ''}`).join(' <-> ');
    return m.joined ? `(${phrase} | '${m.joined}')` : `(${phrase})`;
  };
  const include = q.include.map(one).join(' & ');
  return q.exclude.length ? `(${include}) & !(${q.exclude.map(one).join(' | ')})` : include;
}
