import { defaultNotifyLevel, type Conversation, type Membership } from '@parley/protocol';
import { sql } from 'kysely';
import type { Db } from '../store/db.js';
import { prepared } from '../store/prepared.js';
import type { ConversationsTable, MembersTable } from '../store/schema.js';
import { iso } from '../core/time.js';
import { normaliseMessage, presentMessages, type MessageRow } from '../messages/presenter.js';
import { asOfLeaving, type AsOf } from '../messages/as-of.js';
import { laterSeq, liveFrom } from '../messages/live-range.js';
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
    const from = Math.max(member.read_seq + 1, member.visible_from_seq);
    const [counts, last] = await Promise.all([
      from > upTo ? Promise.resolve([{ n: 0, m: 0 }]) : unreadCounts(db, { convId: conv.id, from, upTo, userId }),
      lastTopLevel(db, { convId: conv.id, from: member.visible_from_seq, upTo }),
    ]).then(([c, l]) => [c[0] ?? { n: 0, m: 0 }, l[0]] as const);
    unread = Number(counts.n ?? 0);
    mentions = Number(counts.m ?? 0);
    if (last) lastMessage = (await presentMessages(db, [normaliseMessage(last)], await asOfLeaving(db, conv.id, member)))[0] ?? null;
  }
  // A member who left sees the conversation as it was when they left: later renames, topic and
  // archive changes and member counts are not theirs to know.
  const later =
    member && member.left_seq !== null
      ? await db
          .selectFrom('events')
          .select(['seq', 'type', 'data'])
          .where('conv_id', '=', conv.id)
          .where('seq', '>=', member.left_seq)
          .where('type', 'in', ['conversation.updated', 'member.left'])
          .orderBy('seq', 'desc')
          .execute()
      : [];
  let dmUser: string | null = null;
  if (conv.kind === 'dm' && knownDmUser) {
    dmUser = knownDmUser;
  } else if (conv.kind === 'dm') {
    const other = await db.selectFrom('members').select('user_id').where('conv_id', '=', conv.id).where('user_id', '!=', userId).executeTakeFirst();
    dmUser = other?.user_id ?? userId;
  }
  return shape(conv, member, upTo, asLeft(conv, member, later), dmUser, unread, mentions, lastMessage);
}

/** One conversation to present, with the user's membership row (null when they are not in it). */
export interface ToPresent {
  conv: ConversationsTable;
  member: MembersTable | null;
  /** The other member of a DM when the caller already knows it (myMemberships does). */
  dmUserId?: string | null;
}

/**
 * Many conversations as one user sees them, each exactly as `presentConversation` shows it, in a
 * number of queries that does not grow with their number (a user in 500 conversations used to
 * cost 1,000 to 2,000 queries per list): one reads every membership's unread and mention counts,
 * last top-level message, leave time and DM partner; one reads the later changes of the
 * conversations the user left; then `presentMessages` presents all last messages together.
 *
 * The counts are bounded by the membership and conversation rows as that query reads them; a row
 * that moved since the caller read it (a message or read mark landing in between) is presented
 * on its own by `presentConversation` from the caller's rows, so every item is exactly what the
 * one-at-a-time path would show for the rows it was given.
 */
export async function presentConversations(db: Db, userId: string, items: readonly ToPresent[]): Promise<Conversation[]> {
  const norm = items.map((i) => ({ conv: normaliseConv(i.conv), member: i.member ? normaliseMember(i.member) : null, known: i.dmUserId ?? null, raw: i }));
  const memberIds = norm.filter((i) => i.member).map((i) => i.conv.id);
  const leftIds = norm.filter((i) => i.member && i.member.left_seq !== null).map((i) => i.conv.id);
  const [stats, later] = await Promise.all([
    memberIds.length === 0 ? Promise.resolve([]) : memberStats(db, { userId, convIds: memberIds }),
    leftIds.length === 0 ? Promise.resolve([]) : changesSinceLeaving(db, userId, leftIds),
  ]);
  const statsOf = new Map(stats.map((s) => [s.s_conv_id, s]));
  const laterOf = new Map<string, typeof later>();
  for (const e of later) {
    const l = laterOf.get(e.conv_id) ?? [];
    l.push(e);
    laterOf.set(e.conv_id, l);
  }
  const out: (Conversation | null)[] = norm.map(() => null);
  const lastRows: MessageRow[] = [];
  const asOfByConv = new Map<string, AsOf>();
  const pending: {
    index: number;
    conv: ReturnType<typeof normaliseConv<Conv>>;
    member: Member;
    upTo: number;
    seen: ReturnType<typeof asLeft>;
    dmUser: string | null;
    unread: number;
    mentions: number;
    lastId: string | null;
  }[] = [];
  const alone: number[] = [];
  norm.forEach(({ conv, member, known }, index) => {
    if (!member) {
      // Not a member (browsing public channels): no counts and no last message to read.
      if (conv.kind === 'dm' && !known) alone.push(index);
      else out[index] = shape(conv, null, 0, asLeft(conv, null, []), conv.kind === 'dm' ? known : null, 0, 0, null);
      return;
    }
    const s = statsOf.get(conv.id);
    const same =
      s !== undefined &&
      Number(s.s_read) === member.read_seq &&
      Number(s.s_vfs) === member.visible_from_seq &&
      (s.s_left === null ? null : Number(s.s_left)) === member.left_seq &&
      (member.left_seq !== null || Number(s.s_last_seq) === conv.last_seq);
    if (!same) {
      alone.push(index);
      return;
    }
    const upTo = member.left_seq ?? conv.last_seq;
    if (s.id !== null) lastRows.push(normaliseMessage(s as MessageRow));
    if (member.left_seq !== null) asOfByConv.set(conv.id, { seq: member.left_seq, at: s.s_leave_at === null ? 0 : Number(s.s_leave_at) });
    const mine = member.left_seq === null ? [] : (laterOf.get(conv.id) ?? []).filter((e) => Number(e.seq) >= member.left_seq!);
    pending.push({
      index,
      conv,
      member,
      upTo,
      seen: asLeft(conv, member, mine),
      dmUser: conv.kind === 'dm' ? known || (s.s_dm_other ?? userId) : null,
      unread: Number(s.s_n ?? 0),
      mentions: Number(s.s_m ?? 0),
      lastId: s.id,
    });
  });
  const [messages, ones] = await Promise.all([
    presentMessages(db, lastRows, (r) => asOfByConv.get(r.conv_id) ?? null),
    Promise.all(alone.map((index) => presentConversation(db, userId, items[index]!.conv, items[index]!.member, items[index]!.dmUserId))),
  ]);
  const byId = new Map(messages.map((m) => [m.id, m]));
  for (const p of pending) {
    out[p.index] = shape(p.conv, p.member, p.upTo, p.seen, p.dmUser, p.unread, p.mentions, p.lastId === null ? null : (byId.get(p.lastId) ?? null));
  }
  alone.forEach((index, k) => (out[index] = ones[k]!));
  return out as Conversation[];
}

/**
 * Per membership of `userId` in `convIds`, one row: the bounds of what they may see as stored now
 * (read cursor, visible range, leave seq, the conversation's last seq), the unread and mention
 * counts within them, the last top-level message they may see (its columns, all null when there
 * is none), when they left, and for a DM the other member. Each count and the last message is a
 * subquery on the (conv_id, seq) index over the member's own range, so the cost follows unread
 * messages, not conversation sizes.
 */
const memberStats = prepared((db, { userId, convIds }: { userId: string; convIds: string[] }) =>
  db
    .selectFrom('members as m')
    .innerJoin('conversations as c', 'c.id', 'm.conv_id')
    .leftJoin('messages as lm', (j) =>
      j.onRef('lm.conv_id', '=', 'm.conv_id').on((eb) =>
        eb(
          'lm.seq',
          '=',
          eb
            .selectFrom('messages as x')
            .select('x.seq')
            .whereRef('x.conv_id', '=', 'm.conv_id')
            .where('x.seq', '>=', liveFrom(sql.ref('m.conv_id'), sql.ref('m.visible_from_seq')))
            .where('x.seq', '<=', eb.fn.coalesce('m.left_seq', 'c.last_seq'))
            .where('x.thread_root_id', 'is', null)
            .where('x.expired_at', 'is', null)
            .orderBy('x.seq', 'desc')
            .limit(1),
        ),
      ),
    )
    .selectAll('lm')
    .select((eb) => {
      // Messages from others after the read cursor, within the visible range, not recalled.
      const unread = () =>
        eb
          .selectFrom('messages as x')
          .whereRef('x.conv_id', '=', 'm.conv_id')
          .where('x.seq', '>=', liveFrom(sql.ref('m.conv_id'), laterSeq(sql<number>`m.read_seq + 1`, sql.ref('m.visible_from_seq'))))
          .where('x.seq', '<=', eb.fn.coalesce('m.left_seq', 'c.last_seq'))
          .where('x.sender_id', '!=', userId)
          .where('x.recalled_at', 'is', null)
          .where('x.expired_at', 'is', null);
      return [
        'm.conv_id as s_conv_id',
        'm.read_seq as s_read',
        'm.visible_from_seq as s_vfs',
        'm.left_seq as s_left',
        'c.last_seq as s_last_seq',
        // Top-level ones are unread; mentions count thread replies too (a mention in a thread still calls you).
        unread()
          .select((e) => e.fn.countAll<number | string>().as('n'))
          .where('x.thread_root_id', 'is', null)
          .as('s_n'),
        unread()
          .select((e) => e.fn.countAll<number | string>().as('n'))
          .where((e) => e.or([e('x.mentions_all', '=', 1), e.exists(e.selectFrom('mentions as mn').select('mn.seq').whereRef('mn.message_id', '=', 'x.id').where('mn.user_id', '=', userId))]))
          .as('s_m'),
        eb.selectFrom('events as le').select('le.created_at').whereRef('le.conv_id', '=', 'm.conv_id').whereRef('le.seq', '=', 'm.left_seq').as('s_leave_at'),
        eb
          .case()
          .when('c.kind', '=', 'dm')
          .then(eb.selectFrom('members as o').select('o.user_id').whereRef('o.conv_id', '=', 'm.conv_id').where('o.user_id', '!=', userId).limit(1))
          .else(null)
          .end()
          .as('s_dm_other'),
      ];
    })
    .where('m.user_id', '=', userId)
    .where('m.conv_id', 'in', convIds),
);

/** The `conversation.updated` and `member.left` events from each left conversation's leave seq on, newest first. */
function changesSinceLeaving(db: Db, userId: string, convIds: string[]) {
  return db
    .selectFrom('events as e')
    .innerJoin('members as m', (j) => j.onRef('m.conv_id', '=', 'e.conv_id').on('m.user_id', '=', userId))
    .select(['e.conv_id', 'e.seq', 'e.type', 'e.data'])
    .where('e.conv_id', 'in', convIds)
    .whereRef('e.seq', '>=', 'm.left_seq')
    .where('e.type', 'in', ['conversation.updated', 'member.left'])
    .orderBy('e.conv_id')
    .orderBy('e.seq', 'desc')
    .execute();
}

type Conv = ConversationsTable;
type Member = MembersTable;

/**
 * Name, topic, purpose, history option, archived flag and member count as a member who left saw them: `later` holds the
 * `conversation.updated` and `member.left` events from their leave seq on, newest first; each
 * update's `previous` values roll the conversation back, and their own `member.left` event holds
 * the member count they last saw.
 */
function asLeft(conv: Conv, member: Member | null, later: { seq: number | string; type: string; data: string }[]) {
  let { name, topic, purpose, history_visibility: history } = conv;
  let archived = conv.archived_at !== null;
  let memberCount = Number(conv.member_count);
  if (member && member.left_seq !== null) {
    for (const e of later) {
      const d = JSON.parse(e.data) as {
        previous?: { name?: string | null; topic?: string; purpose?: string | null; archived?: boolean; history_visibility?: Conv['history_visibility'] };
        member_count?: number;
      };
      if (Number(e.seq) === member.left_seq) {
        if (e.type === 'member.left' && d.member_count !== undefined) memberCount = d.member_count;
        continue;
      }
      if (e.type !== 'conversation.updated' || !d.previous) continue;
      if (d.previous.name !== undefined) name = d.previous.name;
      if (d.previous.topic !== undefined) topic = d.previous.topic;
      if (d.previous.purpose !== undefined) purpose = d.previous.purpose;
      if (d.previous.history_visibility !== undefined) history = d.previous.history_visibility;
      if (d.previous.archived !== undefined) archived = d.previous.archived;
    }
  }
  return { name, topic, purpose: purpose ?? null, history, archived, memberCount };
}

function shape(
  conv: Conv,
  member: Member | null,
  upTo: number,
  seen: ReturnType<typeof asLeft>,
  dmUser: string | null,
  unread: number,
  mentions: number,
  lastMessage: Conversation['last_message'],
): Conversation {
  return {
    id: conv.id,
    kind: conv.kind,
    name: seen.name,
    topic: seen.topic,
    purpose: seen.purpose,
    visibility: conv.visibility,
    history_visibility: seen.history,
    created_by: conv.created_by,
    created_at: iso(conv.created_at),
    archived: seen.archived,
    last_seq: member ? upTo : conv.last_seq,
    member_count: seen.memberCount,
    dm_user_id: dmUser,
    membership: member
      ? {
          role: member.role,
          joined_at: iso(member.joined_at),
          visible_from_seq: member.visible_from_seq,
          left_seq: member.left_seq,
          read_seq: member.read_seq,
          ...notifyView(conv.kind, member.notify),
        }
      : null,
    unread_count: unread,
    mention_count: mentions,
    last_message: lastMessage,
    retention_days: conv.retention_days ?? null,
  };
}

/**
 * Messages from others from `from` (the seq after the read cursor) on, in one pass: `n` counts the
 * top-level ones (unread), `m` those that mention the user, thread replies included (a mention in
 * a thread still calls you).
 */
const unreadCounts = prepared((db, p: { convId: string; from: number; upTo: number; userId: string }) =>
  db
    .selectFrom('messages')
    .where('conv_id', '=', p.convId)
    .where('seq', '>=', liveFrom(p.convId, p.from))
    .where('seq', '<=', p.upTo)
    .where('sender_id', '!=', p.userId)
    .where('recalled_at', 'is', null)
    .where('expired_at', 'is', null)
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
    .where('seq', '>=', liveFrom(p.convId, p.from))
    .where('seq', '<=', p.upTo)
    .where('thread_root_id', 'is', null)
    .where('expired_at', 'is', null)
    .orderBy('seq', 'desc')
    .limit(1),
);

/**
 * A member's notification choice as the API shows it: `notify` is the level in force (their
 * choice, else the kind's default); `muted` says they chose to hear less (`mentions` or
 * `nothing`), as `/mute` did before levels existed.
 */
export function notifyView(kind: Conversation['kind'], notify: MembersTable['notify']): Pick<Membership, 'muted' | 'notify'> {
  return { muted: notify === 'mentions' || notify === 'nothing', notify: notify ?? defaultNotifyLevel(kind) };
}
