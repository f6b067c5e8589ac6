import type { Conversation } from '@parley/protocol';
import type { Db } from '../store/db.js';
import { prepared } from '../store/prepared.js';
import type { ConversationsTable, MembersTable } from '../store/schema.js';
import { iso } from '../core/time.js';
import { normaliseMessage, presentMessages } from '../messages/presenter.js';
import { asOfLeaving } from '../messages/as-of.js';
import { normaliseConv, normaliseMember } from './access.js';

/**
 * The conversation as one user sees it: their membership, unread and mention counts (top-level
 * messages from others after their read cursor, within what they may see) and the last message.
 */
export async function presentConversation(
  db: Db,
  userId: string,
  convRaw: ConversationsTable,
  memberRaw: MembersTable | null,
  /** The other member of a DM when the caller already knows it (myMemberships does). */
  knownDmUser?: string | null,
): Promise<Conversation> {
  const conv = normaliseConv(convRaw);
  const member = memberRaw ? normaliseMember(memberRaw) : null;
  const upTo = member ? (member.left_seq ?? conv.last_seq) : 0;
  let unread = 0;
  let mentions = 0;
  let lastMessage = null;
  if (member) {
    const from = Math.max(member.read_seq, member.visible_from_seq - 1);
    const [counts, last] = await Promise.all([
      from >= upTo ? Promise.resolve([{ n: 0, m: 0 }]) : unreadCounts(db, { convId: conv.id, from, upTo, userId }),
      lastTopLevel(db, { convId: conv.id, from: member.visible_from_seq, upTo }),
    ]).then(([c, l]) => [c[0] ?? { n: 0, m: 0 }, l[0]] as const);
    unread = Number(counts.n ?? 0);
    mentions = Number(counts.m ?? 0);
    if (last) lastMessage = (await presentMessages(db, [normaliseMessage(last)], await asOfLeaving(db, conv.id, member)))[0] ?? null;
  }
  // A member who left sees the conversation as it was when they left: later renames, topic and
  // archive changes and member counts are not theirs to know.
  let { name, topic } = conv;
  let archived = conv.archived_at !== null;
  let memberCount = Number(conv.member_count);
  if (member && member.left_seq !== null) {
    const later = await db
      .selectFrom('events')
      .select(['seq', 'type', 'data'])
      .where('conv_id', '=', conv.id)
      .where('seq', '>=', member.left_seq)
      .where('type', 'in', ['conversation.updated', 'member.left'])
      .orderBy('seq', 'desc')
      .execute();
    for (const e of later) {
      const d = JSON.parse(e.data) as { previous?: { name?: string | null; topic?: string; archived?: boolean }; member_count?: number };
      if (Number(e.seq) === member.left_seq) {
        if (e.type === 'member.left' && d.member_count !== undefined) memberCount = d.member_count;
        continue;
      }
      if (e.type !== 'conversation.updated' || !d.previous) continue;
      if (d.previous.name !== undefined) name = d.previous.name;
      if (d.previous.topic !== undefined) topic = d.previous.topic;
      if (d.previous.archived !== undefined) archived = d.previous.archived;
    }
  }
  let dmUser: string | null = null;
  if (conv.kind === 'dm' && knownDmUser) {
    dmUser = knownDmUser;
  } else if (conv.kind === 'dm') {
    const other = await db.selectFrom('members').select('user_id').where('conv_id', '=', conv.id).where('user_id', '!=', userId).executeTakeFirst();
    dmUser = other?.user_id ?? userId;
  }
  return {
    id: conv.id,
    kind: conv.kind,
    name,
    topic,
    visibility: conv.visibility,
    history_visibility: conv.history_visibility,
    created_by: conv.created_by,
    created_at: iso(conv.created_at),
    archived,
    last_seq: member ? upTo : conv.last_seq,
    member_count: memberCount,
    dm_user_id: dmUser,
    membership: member
      ? { role: member.role, joined_at: iso(member.joined_at), visible_from_seq: member.visible_from_seq, left_seq: member.left_seq, read_seq: member.read_seq }
      : null,
    unread_count: unread,
    mention_count: mentions,
    last_message: lastMessage,
  };
}

/**
 * Messages from others after the read cursor, in one pass: `n` counts the top-level ones (unread),
 * `m` those that mention the user, thread replies included (a mention in a thread still calls you).
 */
const unreadCounts = prepared((db, p: { convId: string; from: number; upTo: number; userId: string }) =>
  db
    .selectFrom('messages')
    .where('conv_id', '=', p.convId)
    .where('seq', '>', p.from)
    .where('seq', '<=', p.upTo)
    .where('sender_id', '!=', p.userId)
    .where('recalled_at', 'is', null)
    .select((eb) => [
      eb.fn.sum<number | string | null>(eb.case().when('thread_root_id', 'is', null).then(1).else(0).end()).as('n'),
      eb.fn
        .sum<number | string | null>(
          eb
            .case()
            .when(
              eb.or([
                eb('mentions_all', '=', 1),
                eb.exists(eb.selectFrom('mentions').select('mentions.seq').whereRef('mentions.message_id', '=', 'messages.id').where('mentions.user_id', '=', p.userId)),
              ]),
            )
            .then(1)
            .else(0)
            .end(),
        )
        .as('m'),
    ]),
);

const lastTopLevel = prepared((db, p: { convId: string; from: number; upTo: number }) =>
  db
    .selectFrom('messages')
    .selectAll()
    .where('conv_id', '=', p.convId)
    .where('seq', '>=', p.from)
    .where('seq', '<=', p.upTo)
    .where('thread_root_id', 'is', null)
    .orderBy('seq', 'desc')
    .limit(1),
);
