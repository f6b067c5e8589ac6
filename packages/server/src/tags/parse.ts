import { AppError } from '../core/errors.js';

/**
 * Message tags: `#bug`, `#deploy`, `#部署`. A tag starts after a space, a line start or an opening
 * bracket (so `C#`, `a/#anchor` and `&#39;` are not tags) and holds at least one letter (so
 * `#42`, an issue number, is not one). Case folds: `#Bug` is `bug`.
 */
const TAG = /(?<![\p{L}\p{N}_&/#])#([\p{L}\p{N}_][\p{L}\p{N}_.-]{0,49})/gu;
const NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_.-]{0,49}$/u;
const LETTER = /\p{L}/u;

/** Tags read from one body; more than this and the rest are plain text. */
export const MAX_BODY_TAGS = 10;
/** Tags one message may carry in all (from its body and added afterwards). */
export const MAX_MESSAGE_TAGS = 20;

const fold = (raw: string) =>
  raw
    .replace(/[.-]+$/, '')
    .normalize('NFC')
    .toLowerCase();

/** The tags of a body, in order of first appearance, outside code spans and blocks. */
export function parseTags(body: string): string[] {
  if (!body.includes('#')) return [];
  const text = body.replace(/```[\s\S]*?```/g, ' ').replace(/`[^`\n]*`/g, ' ');
  const out = new Set<string>();
  for (const m of text.matchAll(TAG)) {
    const tag = fold(m[1]!);
    if (tag !== '' && LETTER.test(tag)) out.add(tag);
    if (out.size === MAX_BODY_TAGS) break;
  }
  return [...out];
}

/** A tag someone typed (`/tag Bug`, `?tag=bug`, `tag:#bug`), folded; a typed 400 when it cannot be one. */
export function normaliseTag(raw: string, field = '/tag'): string {
  const tag = fold(raw.trim().replace(/^#/, ''));
  if (!NAME.test(tag) || !LETTER.test(tag)) {
    throw new AppError('invalid_request', 'A tag is 1 to 50 letters, digits, _, - or . with at least one letter, like bug or deploy-prod.', { field });
  }
  return tag;
}

/** The tags of a send: its body's, then those its sender added (a receiver's `alert`), without repeats. */
export function tagsOfSend(body: string, extra: readonly string[] | undefined): string[] {
  const tags = parseTags(body);
  if (!extra || extra.length === 0) return tags;
  return [...new Set([...tags, ...extra])].slice(0, MAX_MESSAGE_TAGS);
}
