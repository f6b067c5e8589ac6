import { plural } from '@parley/protocol';
import type { Actor } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { readsSeq, visibleAccess } from '../conversations/access.js';
import { assertCan } from '../conversations/policy.js';
import type { ConversationsTable, MembersTable, MessagesTable, UploadsTable } from '../store/schema.js';

/** Checks a message body against the configured size; counts characters (code points), not bytes. */
/** A message's text: within the limit, and not blank unless files carry the message (`withFiles`). */
export function checkBody(body: string, maxChars: number, withFiles = false): string {
  if (body.includes('\u0000')) throw new AppError('invalid_request', 'The message contains a NUL character.', { field: '/body' });
  if (body.trim().length === 0 && !withFiles) throw new AppError('invalid_request', 'The message is empty.', { field: '/body' });
  let n = 0;
  for (const _ of body) {
    if (++n > maxChars) throw new AppError('payload_too_large', `A message has at most ${plural(maxChars, 'character')}.`, { field: '/body' });
  }
  return body;
}

/** The answer to a send over the per-user rate. */
export function sendRateLimited(ratePerSec: number, retryAfterMs: number): AppError {
  return new AppError('rate_limited', `Slow down: at most ${plural(ratePerSec, 'message')} per second.`, { retry_after_ms: retryAfterMs });
}

/** The thread a reply to `parent` belongs to; a recalled message takes no replies. */
export function threadRootOf(parent: { id: string; thread_root_id: string | null; recalled_at: number | null }): string {
  if (parent.recalled_at !== null) throw new AppError('invalid_request', 'You cannot reply to a recalled message.', { field: '/reply_to' });
  return parent.thread_root_id ?? parent.id;
}

/**
 * Who may send where, and into which thread, from the conversation, the sender's membership and
 * (looked up only for a reply) the parent message. Returns the conversation and the thread root
 * (null for a top-level message).
 */
export function authoriseSend(
  actor: Actor,
  input: { conv_id: string; reply_to?: string | undefined },
  conv: ConversationsTable | undefined,
  member: MembersTable | null,
  parentOf: (id: string) => MessagesTable | undefined,
): { conv: ConversationsTable; threadRootId: string | null } {
  const a = visibleAccess(actor, conv && { conv, member });
  assertCan(actor, 'message.send', a);
  if (!input.reply_to) return { conv: a.conv, threadRootId: null };
  const parent = parentOf(input.reply_to);
  // Every "you may not see it" answer is word for word the answer for an id that does not exist.
  if (!parent || parent.conv_id !== input.conv_id || !readsSeq(actor, a, parent.seq)) throw new AppError('not_found', 'No such message.');
  return { conv: a.conv, threadRootId: threadRootOf(parent) };
}

/**
 * The uploads a send attaches, checked after the send itself is authorised: each must be the
 * sender's own (anyone else's, or an unknown id, is the same 404), complete, and not carried by
 * any message yet, nor by an earlier send of the same batch (`claimed`, which this fills).
 */
export function checkAttachments(actor: Actor, ids: readonly string[] | undefined, uploadOf: (id: string) => UploadsTable | undefined, claimed: Set<string>): UploadsTable[] {
  if (!ids || ids.length === 0) return [];
  const out: UploadsTable[] = [];
  for (const [i, id] of ids.entries()) {
    const field = `/attachments/${i}`;
    const up = uploadOf(id);
    if (!up || up.uploader_id !== actor.userId) throw new AppError('not_found', 'No such upload.', { field });
    if (up.state !== 'complete') throw new AppError('invalid_request', 'That upload has not finished.', { field });
    if (up.message_id !== null || claimed.has(id)) throw new AppError('conflict', 'That file is already attached to a message.', { field });
    out.push(up);
  }
  for (const id of ids) claimed.add(id);
  return out;
}
