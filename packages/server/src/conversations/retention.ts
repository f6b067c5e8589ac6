import { Conversation, ConversationRetentionBody } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import type { AuditService } from '../audit/service.js';
import { actorOf } from '../http/auth.js';
import { bearer, IdParams, responses, type RoutesPlugin } from '../http/schemas.js';
import { appendEvent, readEvents } from './log.js';
import { presentConversation } from './presenter.js';

/**
 * A conversation's own retention (messages/retention.ts), over the workspace's. Erasing a
 * conversation's history is a workspace decision: only workspace owners and admins set it, not
 * the conversation's own owners, on any channel or group (private ones too, which the admin
 * console lists anyway); a DM only when they are in it, so one between two others stays a 404.
 * Audited like the workspace setting, and a `conversation.updated` log event tells every member's
 * devices at once (their clients show a line), as a rename does. Answers the conversation as the
 * actor sees it.
 */
export async function setConversationRetention(deps: Deps, audit: AuditService, actor: Actor, convId: string, days: number | null): Promise<Conversation> {
  if (actor.role !== 'owner' && actor.role !== 'admin') throw new AppError('forbidden', 'Only workspace owners and admins set a retention policy.');
  const { db } = deps;
  const conv = await db.selectFrom('conversations').selectAll().where('id', '=', convId).executeTakeFirst();
  const member = conv ? ((await db.selectFrom('members').selectAll().where('conv_id', '=', convId).where('user_id', '=', actor.userId).executeTakeFirst()) ?? null) : null;
  if (!conv || (conv.kind === 'dm' && !member)) throw new AppError('not_found', 'No such conversation.');
  const before = conv.retention_days === null ? null : Number(conv.retention_days);
  if (before === days) return presentConversation(db, actor.userId, conv, member);
  const events = await db.transaction().execute(async (trx) => {
    await trx.updateTable('conversations').set({ retention_days: days }).where('id', '=', convId).execute();
    const seq = await appendEvent(trx, {
      conv_id: convId,
      type: 'conversation.updated',
      actor_id: actor.userId,
      data: { changes: { retention_days: days }, previous: { retention_days: before } },
      now: deps.now(),
    });
    await audit.record({ actor_id: actor.userId, action: 'conversation.retention_changed', target: convId, data: { from: before, to: days }, ip: actor.ip ?? null }, trx);
    return readEvents(trx, convId, seq, seq);
  });
  for (const e of events) deps.publisher.logEvent(e);
  const now = await db.selectFrom('conversations').selectAll().where('id', '=', convId).executeTakeFirstOrThrow();
  return presentConversation(db, actor.userId, now, member);
}

export const retentionRoutes: RoutesPlugin = async (app, { services }) => {
  app.put(
    '/conversations/:id/retention',
    {
      schema: {
        tags: ['conversations'],
        summary: "Set a conversation's own retention in days, or null for the workspace's (workspace owners and admins; audited)",
        security: bearer,
        params: IdParams,
        body: ConversationRetentionBody,
        response: responses({ 200: Conversation }),
      },
    },
    async (req) => setConversationRetention(services.deps, services.audit, actorOf(req), req.params.id, req.body.days),
  );
};
