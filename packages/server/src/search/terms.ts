/**
 * The one normaliser behind search, on both engines: the index and the query go through the
 * same functions, so what a user types meets what was written in the same form.
 *
 * - Folding: NFKC (full-width ＡＢＣ and half-width ｶﾅ become their usual forms), lower case, and
 *   Latin/Greek/Cyrillic accents removed (café → cafe). Marks of other scripts are letters there
 *   (Devanagari vowel signs) and stay.
 * - Chinese, Japanese and Korean runs become overlapping character pairs (数据库 → 数据 据库),
 *   plus the run's last character alone. A word of n ≥ 2 characters is then the phrase of its
 *   pairs, found wherever it occurs whatever a segmenter would have made of its neighbours: a
 *   dictionary segmenter (Intl.Segmenter) splits 数据库迁移失败 and 数据库 alike today, but
 *   splits differ with context and with ICU versions, and a miss is silent. A single character
 *   is a prefix query over the pairs (its pair with the next character, or itself at a run's end).
 * - Identifiers: `get_user_id`, `user.profile.name`, `getUserId`, `v1.2.3` are split into their
 *   parts in the token sequence (so `user` finds `get_user_id` and the phrase `get user id` finds
 *   it exactly), and the joined form (`getuserid`) is kept in a second column, so typing the
 *   identifier in any of its spellings finds it.
 *
 * Tokens are plain letters and digits, never punctuation, so both engines take them verbatim:
 * FTS5's unicode61 tokenizer splits only on the spaces between them, and PostgreSQL gets a
 * tsvector literal built here (no text-search parser or locale involved).
 */

export interface Token {
  /** The folded term as indexed. */
  term: string;
  /** Where it came from in the original text (UTF-16 offsets, end exclusive), for highlights. */
  start: number;
  end: number;
  /** From a CJK run: one of its pairs, or its last character (the whole run when it has one). */
  cjk?: 'pair' | 'last';
}

export interface Tokens {
  /** In text order: words, identifier parts, CJK pairs. Positions matter (phrases). */
  seq: Token[];
  /** Identifiers of several parts, joined (`getuserid`); no positions. */
  joined: Token[];
}

const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30fc\u3005`;
/** A run of CJK characters, or a word or identifier of other scripts (parts joined by . _ - : / @ ' ). */
const RUN = new RegExp(String.raw`([${CJK}]+)|((?:[[\p{L}\p{N}\p{M}]--[${CJK}]])+(?:[._\-:\/@']+(?:[[\p{L}\p{N}\p{M}]--[${CJK}]])+)*)`, 'gv');
const SEPARATORS = /[._\-:/@']+/u;
/** camelCase and PascalCase boundaries: fooBar → foo|Bar, HTTPServer → HTTP|Server. Digits stay with their letters (ipv6, v1). */
const CAMEL = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u;
const LATIN_ACCENTS = /[\u0300-\u036f]/g;
/** Longer terms are cut: nobody types 65 characters to find a word, and PostgreSQL caps a lexeme's size. */
export const MAX_TERM = 64;

/** Plain ASCII: most messages of a developer team, and what the fast paths below take. */
// eslint-disable-next-line no-control-regex -- the whole ASCII range, control characters included
const ASCII = /^[\x00-\x7f]*$/;
/** RUN for ASCII text: the same matches (no CJK, no marks; letters and digits are [A-Za-z0-9] there), with a cheaper pattern. */
const ASCII_RUN = /()([A-Za-z0-9]+(?:[._\-:/@']+[A-Za-z0-9]+)*)/g;

/** Case, width and Latin accents folded; the same for index and query. */
export function fold(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  return text.normalize('NFKC').toLowerCase().normalize('NFD').replace(LATIN_ACCENTS, '').normalize('NFC');
}

/** Pairs of one CJK run, and its last character alone; `at` is the run's offset in the original. */
function cjkTokens(run: string, at: number, into: Token[]): void {
  const chars = Array.from(run);
  let offset = at;
  const offsets = chars.map((c) => {
    const o = offset;
    offset += c.length;
    return o;
  });
  for (let i = 0; i + 1 < chars.length; i++) {
    const pair = fold(chars[i]! + chars[i + 1]!);
    into.push({ term: pair, start: offsets[i]!, end: offsets[i + 1]! + chars[i + 1]!.length, cjk: 'pair' });
  }
  const last = chars.length - 1;
  into.push({ term: fold(chars[last]!), start: offsets[last]!, end: offsets[last]! + chars[last]!.length, cjk: 'last' });
}

/** An identifier's parts with their offsets: split on separators, then on case changes. */
function parts(word: string, at: number): Token[] {
  const out: Token[] = [];
  let pos = 0;
  for (const piece of word.split(SEPARATORS)) {
    const pieceAt = word.indexOf(piece, pos);
    pos = pieceAt + piece.length;
    let sub = pieceAt;
    for (const p of piece.split(CAMEL)) {
      const term = fold(p).slice(0, MAX_TERM);
      if (term) out.push({ term, start: at + sub, end: at + sub + p.length });
      sub += p.length;
    }
  }
  return out;
}

/** Splits text into index terms; see the module comment. */
export function tokenize(text: string): Tokens {
  const seq: Token[] = [];
  const joined: Token[] = [];
  for (const m of text.matchAll(ASCII.test(text) ? ASCII_RUN : RUN)) {
    const at = m.index;
    if (m[1] !== undefined && m[1] !== '') {
      cjkTokens(m[1], at, seq);
      continue;
    }
    const word = m[2]!;
    const ps = parts(word, at);
    seq.push(...ps);
    if (ps.length > 1)
      joined.push({
        term: ps
          .map((p) => p.term)
          .join('')
          .slice(0, MAX_TERM),
        start: at,
        end: at + word.length,
      });
  }
  return { seq, joined };
}

/** Whether a term came from a CJK run (its length in characters then decides pair or prefix). */
export function isCjk(term: string): boolean {
  return new RegExp(`^[${CJK}]+$`, 'v').test(term);
}
