import { AppError } from '../core/errors.js';

/**
 * A lone UTF-16 surrogate (`"a\ud800b"` in JSON) is a string JavaScript accepts but UTF-8 cannot
 * carry: stored, it came back as something else (U+FFFD, or bytes that are not UTF-8 at all), so
 * the live event and the replayed history of one message differed. Such strings are refused
 * at the edge, for REST bodies and socket frames alike.
 *
 * Text decoded from strict UTF-8 holds no surrogate code units of its own, so the only way one
 * gets in is a `\uD800`–`\uDFFF` escape: text without one (nearly all of it) is never walked.
 * A match is only a hint (`\\uD800` is an escaped backslash); the walk decides.
 */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

// Node 20 has String.prototype.isWellFormed; the ES2023 lib we compile against does not declare it.
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/** The JSON pointer (below `where`) of the first string or key that is not well-formed UTF-16, or null. */
export function illFormedAt(value: unknown, where = ''): string | null {
  // Iterative: a deeply nested body must not overflow the stack here.
  const stack: [unknown, string][] = [[value, where]];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      if (!isWellFormed(v)) return at || '/';
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${at}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i]!;
        // A bad key is reported at its object: the key itself cannot be echoed back faithfully.
        if (!isWellFormed(k)) return at || '/';
        stack.push([child, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
      }
    }
  }
  return null;
}

/** Throws `invalid_request` naming the field when `text` (already parsed into `value`) carries a lone surrogate. */
export function assertWellFormed(text: string, value: unknown, where = ''): void {
  if (!SURROGATE_ESCAPE.test(text)) return;
  const field = illFormedAt(value, where);
  if (field === null) return;
  throw new AppError('invalid_request', `${field} contains an unpaired UTF-16 surrogate (a \\uD800–\\uDFFF escape without its pair); send well-formed Unicode.`, { field });
}
