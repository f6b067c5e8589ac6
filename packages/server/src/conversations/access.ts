import type { Actor } from '../core/context.js';
import { AppError } from '../core/errors.js';
import type { Db } from '../store/db.js';
import { prepared } from '../store/prepared.js';
import type { ConversationsTable, MembersTable } from '../store/schema.js';
import { can, canSee, type ConvAccess } from './policy.js';

const MEMBER_COLUMNS = [
  'members.role as m_role',
  'members.joined_at as m_joined_at',
  'members.visible_from_seq as m_vfs',
  'members.left_seq as m_left',
  'members.read_seq as m_read',
  'members.delivered_seq as m_deliv',
  'members.notify as m_notify',
] as const;

type JoinedRow = ConversationsTable & {
  m_role: MembersTable['role'] | null;
  m_joined_at: number | string | null;
  m_vfs: number | string | null;
  m_left: number | string | null;
  m_read: number | string | null;
  m_deliv: number | string | null;
  m_notify: MembersTable['notify'];
};

/** A conversation row joined with one user's membership columns (null when they never joined). */
function splitMembership(row: JoinedRow, userId: string): ConvAccess {
  const { m_role, m_joined_at, m_vfs, m_left, m_read, m_deliv, m_notify, ...conv } = row;
  const member: MembersTable | null =
    m_role === null
      ? null
      : {
          conv_id: conv.id,
          user_id: userId,
          role: m_role,
          joined_at: Number(m_joined_at),
          visible_from_seq: Number(m_vfs),
          left_seq: m_left === null ? null : Number(m_left),
          read_seq: Number(m_read),
          delivered_seq: Number(m_deliv),
          notify: m_notify,
        };
  return { conv: normaliseConv(conv), member };
}

/**
 * Loads a conversation together with the actor's membership. Missing and invisible look the
 * same (404), so non-members learn nothing about private conversations.
 */
export async function accessConversation(db: Db, actor: Actor, convId: string): Promise<ConvAccess> {
  const [row] = await convWithMembership(db, { convId, userId: actor.userId });
  return visibleAccess(actor, row ? splitMembership(row, actor.userId) : undefined);
}

/** The actor's access to a loaded conversation; missing and invisible give the same 404. */
export function visibleAccess(actor: Actor, access: ConvAccess | undefined): ConvAccess {
  if (!access || !canSee(actor, access)) throw new AppError('not_found', 'No such conversation.');
  return access;
}

/** Whether the actor may read the message at `seq`: a member whose visible range holds it. */
export function readsSeq(actor: Actor, a: ConvAccess, seq: number): boolean {
  return can(actor, 'conversation.read', a) && seq >= a.member!.visible_from_seq && seq <= visibleUpTo(a);
}

/** One query: the conversation with the user's membership row, if any. */
const convWithMembership = prepared((db, p: { convId: string; userId: string }) =>
  db
    .selectFrom('conversations')
    .leftJoin('members', (j) => j.onRef('members.conv_id', '=', 'conversations.id').on('members.user_id', '=', p.userId))
    .selectAll('conversations')
    .select(MEMBER_COLUMNS)
    .where('conversations.id', '=', p.convId),
);

/** PostgreSQL returns bigint columns as strings; every row passes through here to get numbers. */
export function normaliseConv<T extends { last_seq: number | string; created_at: number | string; archived_at: number | string | null }>(c: T): T {
  return { ...c, last_seq: Number(c.last_seq), created_at: Number(c.created_at), archived_at: c.archived_at === null ? null : Number(c.archived_at) };
}

export function normaliseMember<
  T extends { visible_from_seq: number | string; left_seq: number | string | null; read_seq: number | string; delivered_seq: number | string; joined_at: number | string },
>(m: T): T {
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

/**
 * Every conversation the user has a membership row in (active, or left too), with that row, in
 * one query; for DMs also the other member (`dmUserId`), so presenting the list needs no
 * per-conversation lookup for it.
 */
export async function myMemberships(db: Db, userId: string, includeLeft: boolean): Promise<(ConvAccess & { dmUserId: string | null })[]> {
  const rows = await (includeLeft ? membershipsWithLeft : activeMemberships)(db, { userId });
  return rows.map(({ dm_other, ...row }) => ({ ...splitMembership(row, userId), dmUserId: row.kind === 'dm' ? (dm_other ?? userId) : null }));
}

const memberships = (db: Db, userId: string) =>
  db
    .selectFrom('members')
    .innerJoin('conversations', 'conversations.id', 'members.conv_id')
    .selectAll('conversations')
    .select(MEMBER_COLUMNS)
    .select((eb) =>
      eb
        .case()
        .when('conversations.kind', '=', 'dm')
        .then(eb.selectFrom('members as other').select('other.user_id').whereRef('other.conv_id', '=', 'members.conv_id').where('other.user_id', '!=', userId).limit(1))
        .else(null)
        .end()
        .as('dm_other'),
    )
    .where('members.user_id', '=', userId);
const membershipsWithLeft = prepared((db, p: { userId: string }) => memberships(db, p.userId));
const activeMemberships = prepared((db, p: { userId: string }) => memberships(db, p.userId).where('members.left_seq', 'is', null));
