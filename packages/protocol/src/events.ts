import type { Conversation, MemberRole, Message, Presence, ThreadSummary, User } from './entities.js';

/**
 * Events of the conversation log. Each has the conversation's next gapless `seq`. Message events
 * carry the message as it is *now* (a recalled message is a tombstone on every path, including
 * replays of its old `message.created`), so applying them is "set", never "increment": a client
 * that applies the same event twice, or replays old events, ends in the same state.
 */
interface LogEventBase {
  conv_id: string;
  seq: number;
  ts: string;
  actor_id: string;
}

export interface MessageCreatedEvent extends LogEventBase {
  type: 'message.created';
  message: Message;
  /** For a thread reply: the root's thread counters after this reply. */
  thread_root: ThreadSummary | null;
}
export interface MessageEditedEvent extends LogEventBase {
  type: 'message.edited';
  message: Message;
}
export interface MessageRecalledEvent extends LogEventBase {
  type: 'message.recalled';
  message: Message;
}
export interface ReactionChangedEvent extends LogEventBase {
  type: 'reaction.changed';
  message: Message;
  emoji: string;
  user_id: string;
  op: 'add' | 'remove';
}
export interface MemberJoinedEvent extends LogEventBase {
  type: 'member.joined';
  user: User;
  role: MemberRole;
  member_count: number;
}
export interface MemberLeftEvent extends LogEventBase {
  type: 'member.left';
  user_id: string;
  /** Set when an admin removed the member. */
  removed_by: string | null;
  member_count: number;
}
export interface MemberRoleChangedEvent extends LogEventBase {
  type: 'member.role_changed';
  user_id: string;
  role: MemberRole;
}
export interface ConversationUpdatedEvent extends LogEventBase {
  type: 'conversation.updated';
  changes: { name?: string | null; topic?: string; archived?: boolean };
}

/**
 * A log event you may not see: it touched a message from before your visible range (an edit,
 * reaction or recall of history a `since_join` member never had). It only advances your cursor.
 */
export interface HiddenEvent extends LogEventBase {
  type: 'hidden';
}

export type LogEvent =
  | HiddenEvent
  | MessageCreatedEvent
  | MessageEditedEvent
  | MessageRecalledEvent
  | ReactionChangedEvent
  | MemberJoinedEvent
  | MemberLeftEvent
  | MemberRoleChangedEvent
  | ConversationUpdatedEvent;

export type LogEventType = LogEvent['type'];

export const LOG_EVENT_TYPES: readonly LogEventType[] = [
  'hidden',
  'message.created',
  'message.edited',
  'message.recalled',
  'reaction.changed',
  'member.joined',
  'member.left',
  'member.role_changed',
  'conversation.updated',
];

/** Ephemeral signals: never stored in the log, no seq. */
export interface TypingEvent {
  type: 'typing';
  conv_id: string;
  user_id: string;
  thread_root_id: string | null;
  /** false when the user stopped typing (sent, cleared the composer). */
  active: boolean;
  expires_in_ms: number;
}
export interface PresenceEvent extends Presence {
  type: 'presence';
}
export interface ReadEvent {
  type: 'read';
  conv_id: string;
  user_id: string;
  read_seq: number;
}
export interface DeliveredEvent {
  type: 'delivered';
  conv_id: string;
  user_id: string;
  delivered_seq: number;
}
/** Sent to the member added to a conversation, with the conversation as they now see it. */
export interface ConversationAddedEvent {
  type: 'conversation.added';
  conversation: Conversation;
}
export interface UserUpdatedEvent {
  type: 'user.updated';
  user: User;
}
export interface SessionRevokedEvent {
  type: 'session.revoked';
  session_id: string;
}

export type EphemeralEvent =
  | TypingEvent
  | PresenceEvent
  | ReadEvent
  | DeliveredEvent
  | ConversationAddedEvent
  | UserUpdatedEvent
  | SessionRevokedEvent;

export type ServerEvent = LogEvent | EphemeralEvent;

export function isLogEvent(e: ServerEvent): e is LogEvent {
  return (LOG_EVENT_TYPES as readonly string[]).includes(e.type);
}


/** What a member whose history starts at `visibleFrom` may receive of `e`. */
export function redactForMember(e: LogEvent, visibleFrom: number): LogEvent {
  if ('message' in e && e.message.seq < visibleFrom) return { type: 'hidden', conv_id: e.conv_id, seq: e.seq, ts: e.ts, actor_id: e.actor_id };
  return e;
}
