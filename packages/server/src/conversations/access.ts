import type { Actor } from '../core/context.js';
import { AppError } from '../core/errors.js';
import type { Db } from '../store/db.js';
import { canSee, type ConvAccess } from './policy.js';

/**
 * Loads a conversation together with the actor's membership. Missing and invisible look the
 * same (404), so non-members learn nothing about private conversations.
 */
export async function accessConversation(db: Db, actor: Actor, convId: string): Promise<ConvAccess> {
  const conv = await db.selectFrom('conversations').selectAll().where('id', '=', convId).executeTakeFirst();
  if (!conv) throw new AppError('not_found', 'No such conversation.');
  const member = (await db.selectFrom('members').selectAll().where('conv_id', '=', convId).where('user_id', '=', actor.userId).executeTakeFirst()) ?? null;
  const access = { conv: normaliseConv(conv), member: member ? normaliseMember(member) : null };
  if (!canSee(actor, access)) throw new AppError('not_found', 'No such conversation.');
  return access;
}

/** PostgreSQL returns bigint columns as strings; every row passes through here to get numbers. */
export function normaliseConv<T extends { last_seq: number | string; created_at: number | string; archived_at: number | string | null }>(c: T): T {
  return { ...c, last_seq: Number(c.last_seq), created_at: Number(c.created_at), archived_at: c.archived_at === null ? null : Number(c.archived_at) };
}

export function normaliseMember<T extends { visible_from_seq: number | string; left_seq: number | string | null; read_seq: number | string; delivered_seq: number | string; joined_at: number | string }>(m: T): T {
  return {
    ...m,
    visible_from_seq: Number(m.visible_from_seq),
    left_seq: m.left_seq === null ? null : Number(m.left_seq),
    read_seq: Number(m.read_seq),
    delivered_seq: Number(m.delivered_seq),
    joined_at: Number(m.joined_at),
  };
}

/** The highest seq the member may read: their leave seq, or the conversation's end. */
export function visibleUpTo(a: ConvAccess): number {
  if (!a.member) return 0;
  return a.member.left_seq ?? a.conv.last_seq;
}

/** Every conversation the user has a membership row in (active, or left too), with that row, in one query. */
export async function myMemberships(db: Db, userId: string, includeLeft: boolean): Promise<ConvAccess[]> {
  let q = db
    .selectFrom('members')
    .innerJoin('conversations', 'conversations.id', 'members.conv_id')
    .selectAll('conversations')
    .select(['members.role as m_role', 'members.joined_at as m_joined_at', 'members.visible_from_seq as m_vfs', 'members.left_seq as m_left', 'members.read_seq as m_read', 'members.delivered_seq as m_deliv'])
    .where('members.user_id', '=', userId);
  if (!includeLeft) q = q.where('members.left_seq', 'is', null);
  const rows = await q.execute();
  return rows.map(({ m_role, m_joined_at, m_vfs, m_left, m_read, m_deliv, ...conv }) => ({
    conv: normaliseConv(conv),
    member: normaliseMember({ conv_id: conv.id, user_id: userId, role: m_role, joined_at: m_joined_at, visible_from_seq: m_vfs, left_seq: m_left, read_seq: m_read, delivered_seq: m_deliv }),
  }));
}
