const ULID = /[0-9A-HJKMNP-TV-Z]{26}/;

/** A message id, or the id at the end of a message link (`…/c/<conv>/<message>`); null if neither. */
export function messageIdFrom(text: string): string | null {
  const ids = text.trim().toUpperCase().match(new RegExp(ULID.source, 'g'));
  return ids ? ids[ids.length - 1]! : null;
}
