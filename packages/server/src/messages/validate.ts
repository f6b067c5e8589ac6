import { AppError } from '../core/errors.js';

/** Checks a message body against the configured size; counts characters (code points), not bytes. */
export function checkBody(body: string, maxChars: number): string {
  if (body.includes('\u0000')) throw new AppError('invalid_request', 'The message contains a NUL character.', { field: '/body' });
  if (body.trim().length === 0) throw new AppError('invalid_request', 'The message is empty.', { field: '/body' });
  let n = 0;
  for (const _ of body) {
    if (++n > maxChars) throw new AppError('payload_too_large', `A message has at most ${maxChars} characters.`, { field: '/body' });
  }
  return body;
}
