import { Type, type Static, type TProperties } from '@sinclair/typebox';
import {
  HistoryVisibility,
  Id,
  MemberRole,
  Message,
  Nullable,
  ThreadSummary,
  Timestamp,
  User,
  type Conversation,
  type EphemeralMessage,
  type NotifyLevel,
  type Presence,
  type SavedMessage,
} from './entities.js';
import type { NotificationSettings } from './notifications.js';

/**
 * Events of the conversation log. Each has the conversation's next gapless `seq`. Message events
 * carry the message as it is *now* (a recalled message is a tombstone on every path, including
 * replays of its old `message.created`), so applying them is "set", never "increment": a client
 * that applies the same event twice, or replays old events, ends in the same state.
 *
 * Schemas first, types inferred from them: the REST events page is serialised through these
 * schemas, so a field missing here would be dropped from the wire.
 */
const logEvent = <T extends string, P extends TProperties>(type: T, props: P) => Type.Object({ conv_id: Id, seq: Type.Integer(), ts: Timestamp, actor_id: Id, type: Type.Literal(type), ...props });

export const MessageCreatedEvent = logEvent('message.created', {
  message: Message,
  /** For a thread reply: the root's thread counters after this reply. */
  thread_root: Nullable(ThreadSummary),
});
export type MessageCreatedEvent = Static<typeof MessageCreatedEvent>;

export const MessageEditedEvent = logEvent('message.edited', { message: Message });
export type MessageEditedEvent = Static<typeof MessageEditedEvent>;

export const MessageRecalledEvent = logEvent('message.recalled', { message: Message });
export type MessageRecalledEvent = Static<typeof MessageRecalledEvent>;

/** A burn-after-reading message burned for everyone: `message` is its tombstone (`burn.burned_at` set). */
export const MessageBurnedEvent = logEvent('message.burned', { message: Message });
export type MessageBurnedEvent = Static<typeof MessageBurnedEvent>;

/**
 * Retention (docs/operations.md): messages of the conversation older than its policy were erased,
 * every one with `seq <= up_to_seq` that was left. Clients drop them from timelines and caches;
 * no path serves them any more. `count`: how many this batch erased.
 */
export const MessagesExpiredEvent = logEvent('messages.expired', { up_to_seq: Type.Integer(), count: Type.Integer() });
export type MessagesExpiredEvent = Static<typeof MessagesExpiredEvent>;

export const ReactionChangedEvent = logEvent('reaction.changed', {
  message: Message,
  emoji: Type.String(),
  user_id: Id,
  op: Type.Union([Type.Literal('add'), Type.Literal('remove')]),
});
export type ReactionChangedEvent = Static<typeof ReactionChangedEvent>;

/** A tag added to a message after it was sent, or removed (tags in its text change with an edit). */
export const MessageTaggedEvent = logEvent('message.tagged', {
  message: Message,
  tag: Type.String(),
  op: Type.Union([Type.Literal('add'), Type.Literal('remove')]),
});
export type MessageTaggedEvent = Static<typeof MessageTaggedEvent>;

/**
 * A message pinned to its conversation or unpinned; `message.pinned_at`/`pinned_by` as they are
 * now. A recall or a burn unpins without one (their own event carries the message unpinned).
 */
export const MessagePinnedEvent = logEvent('message.pinned', {
  message: Message,
  op: Type.Union([Type.Literal('add'), Type.Literal('remove')]),
});
export type MessagePinnedEvent = Static<typeof MessagePinnedEvent>;

export const MemberJoinedEvent = logEvent('member.joined', { user: User, role: MemberRole, member_count: Type.Integer() });
export type MemberJoinedEvent = Static<typeof MemberJoinedEvent>;

export const MemberLeftEvent = logEvent('member.left', {
  user_id: Id,
  /** Set when an admin removed the member. */
  removed_by: Nullable(Id),
  member_count: Type.Integer(),
});
export type MemberLeftEvent = Static<typeof MemberLeftEvent>;

export const MemberRoleChangedEvent = logEvent('member.role_changed', { user_id: Id, role: MemberRole });
export type MemberRoleChangedEvent = Static<typeof MemberRoleChangedEvent>;

export const ConversationUpdatedEvent = logEvent('conversation.updated', {
  changes: Type.Object({
    name: Type.Optional(Nullable(Type.String())),
    topic: Type.Optional(Type.String()),
    purpose: Type.Optional(Nullable(Type.String())),
    archived: Type.Optional(Type.Boolean()),
    history_visibility: Type.Optional(HistoryVisibility),
    /** Its own retention changed (workspace owners and admins): days, or null for the workspace's. */
    retention_days: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 36500 }))),
  }),
});
export type ConversationUpdatedEvent = Static<typeof ConversationUpdatedEvent>;

/**
 * A log event you may not see: it touched a message from before your visible range (an edit,
 * reaction or recall of history a `since_join` member never had). It only advances your cursor.
 */
export const HiddenEvent = logEvent('hidden', {});
export type HiddenEvent = Static<typeof HiddenEvent>;

export const LogEvent = Type.Union([
  HiddenEvent,
  MessageCreatedEvent,
  MessageEditedEvent,
  MessageRecalledEvent,
  MessageBurnedEvent,
  MessagesExpiredEvent,
  ReactionChangedEvent,
  MessageTaggedEvent,
  MessagePinnedEvent,
  MemberJoinedEvent,
  MemberLeftEvent,
  MemberRoleChangedEvent,
  ConversationUpdatedEvent,
]);
export type LogEvent = Static<typeof LogEvent>;

export type LogEventType = LogEvent['type'];

export const LOG_EVENT_TYPES: readonly LogEventType[] = [
  'hidden',
  'message.created',
  'message.edited',
  'message.recalled',
  'message.burned',
  'messages.expired',
  'reaction.changed',
  'message.tagged',
  'message.pinned',
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
/** A message only this user sees (a slash command's ephemeral answer); not in the log, no seq. */
export interface EphemeralMessageEvent {
  type: 'message.ephemeral';
  message: EphemeralMessage;
}
/** You muted or unmuted a conversation, or chose its notification level (on another device, say). */
export interface ConversationMutedEvent {
  type: 'conversation.muted';
  conv_id: string;
  muted: boolean;
  /** The level now (`membership.notify`). */
  notify: NotifyLevel;
}
/** You changed Do Not Disturb or sounds (on another device, say): the settings as they are now. */
export interface NotificationsUpdatedEvent {
  type: 'notifications.updated';
  settings: NotificationSettings;
}
export interface SessionRevokedEvent {
  type: 'session.revoked';
  session_id: string;
}

/**
 * You saved a message for yourself or unsaved it (on another device, say): `saved` is the entry of
 * your saved list (the message as you may read it now), null once unsaved.
 */
export interface SavedChangedEvent {
  type: 'saved.changed';
  message_id: string;
  saved: SavedMessage | null;
}

export type EphemeralEvent =
  | TypingEvent
  | PresenceEvent
  | ReadEvent
  | DeliveredEvent
  | ConversationAddedEvent
  | UserUpdatedEvent
  | SessionRevokedEvent
  | EphemeralMessageEvent
  | ConversationMutedEvent
  | NotificationsUpdatedEvent
  | SavedChangedEvent;

export type ServerEvent = LogEvent | EphemeralEvent;

export function isLogEvent(e: ServerEvent): e is LogEvent {
  return (LOG_EVENT_TYPES as readonly string[]).includes(e.type);
}

/** The log events that carry a newer copy of a message sent before: an edit, a recall, a burn, a reaction, tags, a pin. */
export type MessageUpdateEvent = Extract<LogEvent, { type: 'message.edited' | 'message.recalled' | 'message.burned' | 'reaction.changed' | 'message.tagged' | 'message.pinned' }>;

const MESSAGE_UPDATE_TYPES: ReadonlySet<string> = new Set<MessageUpdateEvent['type']>(['message.edited', 'message.recalled', 'message.burned', 'reaction.changed', 'message.tagged', 'message.pinned']);

export function isMessageUpdate(e: { type: string }): e is MessageUpdateEvent {
  return MESSAGE_UPDATE_TYPES.has(e.type);
}

/** What a member whose history starts at `visibleFrom` may receive of `e`. */
export function redactForMember(e: LogEvent, visibleFrom: number): LogEvent {
  if ('message' in e && e.message.seq < visibleFrom) return { type: 'hidden', conv_id: e.conv_id, seq: e.seq, ts: e.ts, actor_id: e.actor_id };
  return e;
}
