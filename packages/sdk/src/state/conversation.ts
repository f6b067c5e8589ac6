/**
 * What one event does to a conversation's own fields (its counters, last message, settings,
 * membership) and to its member list: the rules the reducer applies, and the web's store, which
 * holds only windows of history, applies through the same functions. The counting rule is the
 * server's (packages/server/src/conversations/presenter.ts); this module imports nothing but
 * protocol types.
 */
import type { Conversation, ConversationUpdatedEvent, Member, MemberJoinedEvent, Message, NotifyLevel } from '@parley/protocol';

/**
 * Whether a message calls the user: @channel (every member), or their id in `mentions`, which the
 * server fills with the members named and, for @here, those online when it was sent. Mention
 * counts, badges and notifications all use this rule.
 */
export function mentionsUser(msg: Message, userId: string): boolean {
  return msg.mentions_channel || msg.mentions.includes(userId);
}

/** What a message adds to a member's counters: unread (top-level only) and mention (replies too). */
export interface MessageCount {
  unread: 0 | 1;
  mention: 0 | 1;
}

const NONE: MessageCount = { unread: 0, mention: 0 };

/**
 * The server's rule for one message: it counts when someone else sent it, it is not recalled,
 * and it is past `from` (the member's read seq, or the start of their visible history). A thread
 * reply is not unread in the channel, but a mention in it still counts.
 */
export function countOf(msg: Message, me: string, from: number): MessageCount {
  if (msg.seq <= from || msg.sender_id === me || msg.recalled) return NONE;
  const mention = mentionsUser(msg, me) ? 1 : 0;
  return msg.thread_root_id === null ? { unread: 1, mention } : { unread: 0, mention };
}

/**
 * Where a member's counting starts: past their read cursor and before the first message they may
 * see. Nothing counts for someone who is not a member.
 */
export function countFrom(conv: Conversation): number {
  const m = conv.membership;
  return m ? Math.max(m.read_seq, m.visible_from_seq - 1) : Infinity;
}

/** The counters over messages sorted by seq: each past `from` and up to `upTo`, by `countOf`. */
export function countAll(messages: readonly Message[], me: string, from: number, upTo: number): { unread: number; mentions: number } {
  let unread = 0;
  let mentions = 0;
  for (const msg of messages) {
    if (msg.seq > upTo) break;
    const c = countOf(msg, me, from);
    unread += c.unread;
    mentions += c.mention;
  }
  return { unread, mentions };
}

/**
 * A conversation after a new message arrived live, without its history at hand: the message is
 * its last (when top-level and newer), and it adds to the counters by `countOf`. A client that
 * holds the whole history recomputes instead; both give the server's figures.
 */
export function withLiveMessage(conv: Conversation, msg: Message, me: string): Conversation {
  const next = withLastMessage(conv, msg);
  const c = countOf(msg, me, countFrom(next));
  if (c.unread === 0 && c.mention === 0) return next;
  return { ...next, unread_count: next.unread_count + c.unread, mention_count: next.mention_count + c.mention };
}

/**
 * A conversation whose log reached this message: the message is its last when it is top-level
 * and no older than the one held. Counters are left alone (see `withLiveMessage`).
 */
export function withLastMessage(conv: Conversation, msg: Message): Conversation {
  let next: Conversation = msg.seq > conv.last_seq ? { ...conv, last_seq: msg.seq } : conv;
  if (msg.thread_root_id === null && (!next.last_message || next.last_message.seq <= msg.seq)) next = { ...next, last_message: msg };
  return next;
}

/** A conversation with a `conversation.updated` event's changes (a field absent from them stays). */
export function withChanges(conv: Conversation, changes: ConversationUpdatedEvent['changes']): Conversation {
  const c = { ...conv };
  if (changes.name !== undefined) c.name = changes.name;
  if (changes.topic !== undefined) c.topic = changes.topic;
  if (changes.purpose !== undefined) c.purpose = changes.purpose;
  if (changes.history_visibility !== undefined) c.history_visibility = changes.history_visibility;
  if (changes.archived !== undefined) c.archived = changes.archived;
  if (changes.retention_days !== undefined) c.retention_days = changes.retention_days;
  return c;
}

/**
 * A conversation with my mute and notification level as a `conversation.muted` event says, or
 * null when nothing changes (or I am not a member). A server from before notification levels
 * sends no `notify`: the level stays as it was.
 */
export function withMuted(conv: Conversation | undefined, muted: boolean, notify: NotifyLevel | undefined): Conversation | null {
  if (!conv?.membership) return null;
  const level = notify ?? conv.membership.notify;
  if (conv.membership.muted === muted && conv.membership.notify === level) return null;
  return { ...conv, membership: { ...conv.membership, muted, notify: level } };
}

/** The member a `member.joined` event adds: their read cursor starts at the join. */
export function joinedMember(e: MemberJoinedEvent): Member {
  return { user: e.user, role: e.role, joined_at: e.ts, read_seq: e.seq };
}
