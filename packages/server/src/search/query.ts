/**
 * The search query language, parsed into a structure both engines compile from:
 *
 *   words  "exact phrases"  -excluded  -"excluded phrase"
 *   from:@alice  in:#deploys  in:@bob  has:file|link|code|image  tag:NAME
 *   before:2026-11-30  after:2026-11-01  on:2026-11-15  is:thread  mentions:me
 *
 * A `key:value` whose key is not one of these is text (`127.0.0.1:5432`, `error:timeout`), so
 * pasting a log line never trips the parser. Everything else that cannot mean anything — an
 * unclosed quote, an empty or unknown filter value, a date that does not exist — is an error
 * naming the problem, never a silently empty result.
 */
import { normaliseTag } from '../tags/parse.js';

export interface QueryText {
  text: string;
  /** Quoted: its words must appear together, in this order. */
  phrase: boolean;
}

export type HasFilter = 'file' | 'link' | 'code' | 'image';
export const HAS_FILTERS: readonly HasFilter[] = ['file', 'link', 'code', 'image'];

export interface Day {
  year: number;
  month: number;
  day: number;
}

export interface ParsedQuery {
  include: QueryText[];
  exclude: QueryText[];
  /** Usernames, without `@`; several mean any of them. */
  from: string[];
  /** Channels by name (`#`) and direct conversations by the other user's name (`@`); several mean any. */
  in: { kind: 'channel' | 'dm'; name: string }[];
  has: HasFilter[];
  tags: string[];
  /** Before the start of this day. */
  before: Day | null;
  /** After the end of this day. */
  after: Day | null;
  on: Day | null;
  isThread: boolean;
  mentionsMe: boolean;
}

export class QuerySyntaxError extends Error {}

const FILTERS = new Set(['from', 'in', 'has', 'tag', 'before', 'after', 'on', 'is', 'mentions']);
const NAME = /^[\p{L}\p{N}._-]{1,64}$/u;

function day(key: string, value: string): Day {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const bad = () => new QuerySyntaxError(`${key}: takes a date as YYYY-MM-DD, such as ${key}:2026-11-30; "${value}" is not one.`);
  if (!m) throw bad();
  const [year, month, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, d));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== d) throw bad();
  return { year, month, day: d };
}

function name(key: string, value: string, sigil: '@' | '#' | null): string {
  const bare = sigil && value.startsWith(sigil) ? value.slice(1) : value;
  if (!NAME.test(bare)) throw new QuerySyntaxError(`${key}: needs a name${sigil ? `, such as ${key}:${sigil}name` : ''}; "${value}" is not one.`);
  return bare.toLowerCase();
}

/** Splits the query into items: `-`? then a quoted phrase, or a run up to the next space. */
function* items(q: string): Generator<{ negated: boolean; raw: string; quoted: boolean }> {
  let i = 0;
  while (i < q.length) {
    while (i < q.length && /\s/u.test(q[i]!)) i++;
    if (i >= q.length) return;
    let negated = false;
    if (q[i] === '-' && i + 1 < q.length && !/\s/u.test(q[i + 1]!)) {
      negated = true;
      i++;
    }
    if (q[i] === '"') {
      const close = q.indexOf('"', i + 1);
      if (close < 0) throw new QuerySyntaxError('A quote is not closed: end the phrase with ".');
      yield { negated, raw: q.slice(i + 1, close), quoted: true };
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < q.length && !/\s/u.test(q[j]!)) j++;
    yield { negated, raw: q.slice(i, j), quoted: false };
    i = j;
  }
}

export function parseQuery(q: string): ParsedQuery {
  const out: ParsedQuery = { include: [], exclude: [], from: [], in: [], has: [], tags: [], before: null, after: null, on: null, isThread: false, mentionsMe: false };
  for (const item of items(q)) {
    const colon = item.quoted ? -1 : item.raw.indexOf(':');
    const key = colon > 0 ? item.raw.slice(0, colon).toLowerCase() : '';
    if (!FILTERS.has(key)) {
      if (item.raw.trim() === '') continue;
      (item.negated ? out.exclude : out.include).push({ text: item.raw, phrase: item.quoted });
      continue;
    }
    if (item.negated) throw new QuerySyntaxError(`${key}: cannot be excluded with "-"; search without it instead.`);
    const value = item.raw.slice(colon + 1);
    if (value === '') throw new QuerySyntaxError(`${key}: needs a value after the colon.`);
    switch (key) {
      case 'from':
        out.from.push(name(key, value, '@'));
        break;
      case 'in':
        if (value.startsWith('@')) out.in.push({ kind: 'dm', name: name(key, value, '@') });
        else out.in.push({ kind: 'channel', name: name(key, value, '#') });
        break;
      case 'has': {
        const v = value.toLowerCase() as HasFilter;
        if (!HAS_FILTERS.includes(v)) throw new QuerySyntaxError(`has: takes ${HAS_FILTERS.join(', ')}; "${value}" is not one.`);
        if (!out.has.includes(v)) out.has.push(v);
        break;
      }
      case 'tag': {
        let tag: string;
        try {
          tag = normaliseTag(value);
        } catch {
          throw new QuerySyntaxError(`tag: needs a tag, such as tag:bug or tag:#deploy; "${value}" is not one.`);
        }
        if (!out.tags.includes(tag)) out.tags.push(tag);
        break;
      }
      case 'before':
        out.before = day(key, value);
        break;
      case 'after':
        out.after = day(key, value);
        break;
      case 'on':
        out.on = day(key, value);
        break;
      case 'is':
        if (value.toLowerCase() !== 'thread') throw new QuerySyntaxError(`is: takes thread; "${value}" is not one.`);
        out.isThread = true;
        break;
      case 'mentions':
        if (value.toLowerCase() !== 'me' && value.toLowerCase() !== '@me') throw new QuerySyntaxError(`mentions: takes me; "${value}" is not one.`);
        out.mentionsMe = true;
        break;
    }
  }
  const filtered = out.from.length + out.in.length + out.has.length + out.tags.length > 0 || out.before || out.after || out.on || out.isThread || out.mentionsMe;
  if (out.include.length === 0 && !filtered) {
    throw new QuerySyntaxError(out.exclude.length ? 'Say what to find as well as what to leave out.' : 'The query is empty.');
  }
  return out;
}
