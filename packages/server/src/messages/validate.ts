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

/** The answer to a send over the per-user rate. */
export function sendRateLimited(ratePerSec: number, retryAfterMs: number): AppError {
  return new AppError('rate_limited', `Slow down: at most ${ratePerSec} messages per second.`, { retry_after_ms: retryAfterMs });
}

/** The thread a reply to `parent` belongs to; a recalled message takes no replies. */
export function threadRootOf(parent: { id: string; thread_root_id: string | null; recalled_at: number | null }): string {
  if (parent.recalled_at !== null) throw new AppError('invalid_request', 'You cannot reply to a recalled message.', { field: '/reply_to' });
  return parent.thread_root_id ?? parent.id;
}
