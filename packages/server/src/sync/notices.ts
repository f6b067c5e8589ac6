import { redactForMember, type NoticesPage } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { accessConversation, visibleUpTo } from '../conversations/access.js';
import { assertCan } from '../conversations/policy.js';
import { asOfLeaving } from '../messages/as-of.js';
import { hydrateEvents } from './hydrate.js';

/** The log events a conversation's timeline shows as a line of their own ("Bob joined"). */
export const NOTICE_TYPES = ['member.joined', 'member.left', 'member.role_changed', 'conversation.updated'] as const;

/**
 * The membership and rename/topic events of a span of a conversation's log, newest first up to
 * `limit`, for the lines a timeline draws between its messages. The same events, with the same
 * seqs, that live pushes and resync pages carry, hydrated and redacted by the same functions, so
 * a line shown after a reload is the one shown live; bounded by the reader's visible range like
 * history (a member who left sees them up to their leaving).
 */
export async function noticesOf(deps: Deps, actor: Actor, convId: string, q: { after_seq?: number | undefined; before_seq?: number | undefined; limit?: number | undefined }): Promise<NoticesPage> {
  const { db } = deps;
  const a = await accessConversation(db, actor, convId);
  assertCan(actor, 'conversation.read', a);
  const limit = Math.min(q.limit ?? 200, 500);
  const from = Math.max(a.member!.visible_from_seq, (q.after_seq ?? -1) + 1);
  const to = Math.min(visibleUpTo(a), (q.before_seq ?? Number.MAX_SAFE_INTEGER) - 1);
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('conv_id', '=', convId)
    .where('seq', '>=', from)
    .where('seq', '<=', to)
    .where('type', 'in', [...NOTICE_TYPES])
    .orderBy('seq', 'desc')
    .limit(limit + 1)
    .execute();
  const events = await hydrateEvents(db, rows.slice(0, limit).reverse(), await asOfLeaving(db, convId, a.member));
  return { notices: events.map((e) => redactForMember(e, a.member!.visible_from_seq)), has_more: rows.length > limit };
}
