import { tokenize } from './terms.js';

/** has: filters as bits of `search_docs.flags`. */
export const FLAG = { file: 1, link: 2, code: 4, image: 8 } as const;

const LINK = /\bhttps?:\/\/[^\s<>]/i;
/** A fenced block or an inline span of Markdown code. */
const CODE = /```|`[^`\n]+`/;

/** What the index keeps of one message. */
export interface SearchDocument {
  /** The token sequence, space-separated (FTS5 column `body`). */
  body: string;
  /** Joined identifier spellings, space-separated (FTS5 column `joined`). */
  joined: string;
  flags: number;
}

/**
 * Where and who, as index terms (SQLite's FTS5 column `meta`): the conversation (`c…`), the
 * sender (`u…`) and each has: flag (`f…`). in:, from: and has: are then posting lists the index
 * walks newest first like words, with no B-tree of their own: secondary indexes on
 * `search_docs` cost more than the whole FTS5 insert (12 of 21 µs per message, measured).
 */
export function metaTerms(convId: string, senderId: string, flags: number): string {
  const out = [`c${convId.toLowerCase()}`, `u${senderId.toLowerCase()}`];
  for (const [name, bit] of Object.entries(FLAG)) if (flags & bit) out.push(`f${name}`);
  return out.join(' ');
}

/** The text and its files' names (a search for `app.log` finds the message that carries it). */
export function searchDocument(text: string, attachments: readonly { mime: string | null; name: string }[]): SearchDocument {
  const { seq, joined } = tokenize(attachments.length ? `${text}\n${attachments.map((a) => a.name).join('\n')}` : text);
  let flags = 0;
  if (attachments.length > 0) flags |= FLAG.file;
  if (attachments.some((a) => a.mime?.startsWith('image/'))) flags |= FLAG.image;
  if (LINK.test(text)) flags |= FLAG.link;
  if (CODE.test(text)) flags |= FLAG.code;
  return { body: seq.map((t) => t.term).join(' '), joined: joined.map((t) => t.term).join(' '), flags };
}

/** tsvector positions stop at 16383 (PostgreSQL clamps larger ones to it). */
const MAX_POSITION = 16383;

/**
 * The document as a tsvector literal for PostgreSQL, positions included so phrases work. Joined
 * spellings come after the sequence, two positions apart, so no phrase can run into or across them.
 */
export function toTsvector(doc: SearchDocument): string {
  const positions = new Map<string, number[]>();
  const add = (term: string, pos: number) => {
    const list = positions.get(term);
    const p = Math.min(pos, MAX_POSITION);
    if (!list) positions.set(term, [p]);
    else if (list[list.length - 1] !== p) list.push(p);
  };
  const seq = doc.body ? doc.body.split(' ') : [];
  seq.forEach((term, i) => add(term, i + 1));
  (doc.joined ? doc.joined.split(' ') : []).forEach((term, i) => add(term, seq.length + 2 + 2 * i));
  // Terms are letters and digits only (terms.ts): nothing to escape inside the quotes.
  return [...positions].map(([term, ps]) => `'${term}':${ps.join(',')}`).join(' ');
}

/**
 * The doc's id: the send time in ms times 1024 plus a counter for messages of the same
 * millisecond, so descending ids are newest first (see migration 010).
 */
export const DOC_IDS_PER_MS = 1024;
