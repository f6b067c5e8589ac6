import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Time-sortable server ids (ULID, 26 Crockford base-32 characters). */
export const Id = Type.String({ pattern: '^[0-9A-HJKMNP-TV-Z]{26}$', description: 'ULID' });
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 time' });
/** `T` or null: the wire sends null for an absent value, never omits the field. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const WorkspaceRole = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member'), Type.Literal('guest')]);
export type WorkspaceRole = Static<typeof WorkspaceRole>;

export const MemberRole = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]);
export type MemberRole = Static<typeof MemberRole>;

export const PresenceStatus = Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')]);
export type PresenceStatus = Static<typeof PresenceStatus>;

export const User = Type.Object(
  {
    id: Id,
    username: Type.String(),
    display_name: Type.String(),
    /**
     * An uploaded avatar is a same-origin path (`/api/v1/users/{id}/avatar?v=…`, see profile.ts)
     * that needs the bearer token; any other value is a URL the user set, which clients never load.
     */
    avatar_url: Nullable(Type.String()),
    status_text: Nullable(Type.String()),
    /** One emoji (or `:shortcode:`) shown with the status. */
    status_emoji: Nullable(Type.String()),
    /** When the status (text and emoji) clears by itself; null when it stays. An expired status reads as null. */
    status_expires_at: Nullable(Timestamp),
    /** IANA time zone (`Europe/Paris`), for "3:42 PM local time". */
    time_zone: Nullable(Type.String()),
    role: WorkspaceRole,
    /** A bot account (created by a user, acting through API tokens). */
    is_bot: Type.Boolean(),
    created_at: Timestamp,
  },
  { $id: 'User' },
);
export type User = Static<typeof User>;

export const ConversationKind = Type.Union([Type.Literal('dm'), Type.Literal('group'), Type.Literal('channel')]);
export type ConversationKind = Static<typeof ConversationKind>;

export const Visibility = Type.Union([Type.Literal('public'), Type.Literal('private')]);
export type Visibility = Static<typeof Visibility>;

/** `full`: new members read all earlier history; `since_join`: they start at the seq they joined. */
export const HistoryVisibility = Type.Union([Type.Literal('full'), Type.Literal('since_join')]);
export type HistoryVisibility = Static<typeof HistoryVisibility>;

/** A tag of a conversation with how many of the messages you may read carry it, and the latest one's seq. */
export const TagCount = Type.Object({ tag: Type.String(), count: Type.Integer(), last_seq: Type.Integer() });
export type TagCount = Static<typeof TagCount>;

export const ReactionSummary = Type.Object({
  emoji: Type.String(),
  count: Type.Integer(),
  user_ids: Type.Array(Id),
});
export type ReactionSummary = Static<typeof ReactionSummary>;

export const ThreadSummary = Type.Object({
  id: Id,
  reply_count: Type.Integer(),
  last_reply_at: Nullable(Timestamp),
});
export type ThreadSummary = Static<typeof ThreadSummary>;

/** A file a message carries; its bytes are at /api/v1/files/{id} (and /thumbnail when it has one). */
export const Attachment = Type.Object(
  {
    id: Id,
    name: Type.String(),
    size: Type.Integer({ minimum: 0 }),
    /** Sniffed from the bytes by the server, never the uploader's claim. */
    mime: Type.String(),
    width: Nullable(Type.Integer()),
    height: Nullable(Type.Integer()),
    has_thumbnail: Type.Boolean(),
    /** The first lines of a text file. */
    preview: Nullable(Type.String()),
  },
  { $id: 'Attachment' },
);
export type Attachment = Static<typeof Attachment>;

/**
 * A message that burns after reading. Its text and files are never in the shared shape of the
 * message (not in history, events, sync pages, search or anything else): each reader asks for
 * them with `message.reveal`, which starts that reader's timer.
 */
export const BurnInfo = Type.Object(
  {
    /** Seconds a recipient may see it, counted from their first reveal. */
    after_s: Type.Integer({ minimum: 1 }),
    /** Gone for everyone at this time at the latest, read or not. */
    expires_at: Timestamp,
    /** Set once it burned: text and files erased for good, like a recall. */
    burned_at: Nullable(Timestamp),
  },
  { $id: 'BurnInfo' },
);
export type BurnInfo = Static<typeof BurnInfo>;

export const Message = Type.Object(
  {
    id: Id,
    conv_id: Id,
    seq: Type.Integer({ minimum: 1 }),
    sender_id: Id,
    client_msg_id: Type.String(),
    /** Empty for a recalled message: the tombstone keeps its place, never its text. */
    body: Type.String(),
    created_at: Timestamp,
    edited_at: Nullable(Timestamp),
    recalled: Type.Boolean(),
    recalled_at: Nullable(Timestamp),
    reply_to: Nullable(Id),
    thread_root_id: Nullable(Id),
    reply_count: Type.Integer(),
    last_reply_at: Nullable(Timestamp),
    mentions: Type.Array(Id),
    mentions_channel: Type.Boolean(),
    reactions: Type.Array(ReactionSummary),
    /** In the order they were attached; empty for a recalled message. */
    attachments: Type.Array(Attachment),
    /** Its tags (`#bug` in the body, or added with `/tag`), lower case, sorted; empty for a recalled message. */
    tags: Type.Array(Type.String()),
    /** Null for an ordinary message. Set: `body`, `attachments` and `tags` are always empty here; see BurnInfo. */
    burn: Nullable(BurnInfo),
    /** When it was pinned to its conversation (for a member who left: pinned when they left); null when it is not pinned. */
    pinned_at: Nullable(Timestamp),
    /** Who pinned it; null when it is not pinned. */
    pinned_by: Nullable(Id),
  },
  { $id: 'Message' },
);
export type Message = Static<typeof Message>;

/** A message pinned to its conversation: `seq` is the pin's own log event (the next page is `before_seq` it). */
export const Pin = Type.Object({ seq: Type.Integer(), pinned_at: Timestamp, pinned_by: Id, message: Message });
export type Pin = Static<typeof Pin>;

/** A message I saved for myself, as I may read it now. */
export const SavedMessage = Type.Object({ saved_at: Timestamp, message: Message });
export type SavedMessage = Static<typeof SavedMessage>;

/** A burn-after-reading message's content, for one reader. */
export const RevealedMessage = Type.Object(
  {
    message: Message,
    /** When it burns for this reader; null for its sender (who sees it until it burns for everyone). */
    burns_at: Nullable(Timestamp),
    /**
     * What was left of this reader's time when the server answered, in milliseconds (null with
     * `burns_at`). A client counts this down on its own clock from when it asked, so a clock set
     * differently from the server's, or an answer slow on its way, never shows the content past
     * the reader's end.
     */
    burns_in_ms: Nullable(Type.Integer({ minimum: 0 })),
  },
  { $id: 'RevealedMessage' },
);
export type RevealedMessage = Static<typeof RevealedMessage>;

/**
 * How much of a conversation notifies one member: `all` every message, `mentions` only a mention
 * of them (or `@channel` / `@here`), `nothing` never. Yours alone, on every device.
 */
export const NotifyLevel = Type.Union([Type.Literal('all'), Type.Literal('mentions'), Type.Literal('nothing')]);
export type NotifyLevel = Static<typeof NotifyLevel>;

export const Membership = Type.Object({
  role: MemberRole,
  joined_at: Timestamp,
  /** First seq this member may read. */
  visible_from_seq: Type.Integer(),
  /** Set once the member left: the last seq they may read. */
  left_seq: Nullable(Type.Integer()),
  read_seq: Type.Integer(),
  /** You muted it (`/mute`, or chose `mentions` or `nothing`): no notifications but for mentions of you at most; yours alone. */
  muted: Type.Boolean(),
  /**
   * What notifies you here: your choice, else the default of the kind (`all` in DMs and groups,
   * `mentions` in channels). Do Not Disturb silences every level while it lasts.
   */
  notify: NotifyLevel,
});
export type Membership = Static<typeof Membership>;

export const Conversation = Type.Object(
  {
    id: Id,
    kind: ConversationKind,
    name: Nullable(Type.String()),
    topic: Type.String(),
    /** What the conversation is for, longer-lived than the topic; null when nobody set one. */
    purpose: Nullable(Type.String()),
    visibility: Nullable(Visibility),
    /** Whether members added from now on read earlier history (`full`) or start where they joined. */
    history_visibility: HistoryVisibility,
    created_by: Id,
    created_at: Timestamp,
    archived: Type.Boolean(),
    last_seq: Type.Integer(),
    member_count: Type.Integer(),
    /** For a DM: the other member (yourself for a note-to-self DM). */
    dm_user_id: Nullable(Id),
    /** Your membership, null when you are not a member (browsing a public channel). */
    membership: Nullable(Membership),
    unread_count: Type.Integer(),
    mention_count: Type.Integer(),
    last_message: Nullable(Message),
    /** Its own retention in days (messages older are erased); null: the workspace's `retention_days`. */
    retention_days: Nullable(Type.Integer({ minimum: 1, maximum: 36500 })),
  },
  { $id: 'Conversation' },
);
export type Conversation = Static<typeof Conversation>;

export const Member = Type.Object({
  user: User,
  role: MemberRole,
  joined_at: Timestamp,
  read_seq: Type.Integer(),
});
export type Member = Static<typeof Member>;

export const Session = Type.Object({
  id: Id,
  device_name: Type.String(),
  user_agent: Type.String(),
  ip: Type.String(),
  created_at: Timestamp,
  last_used_at: Timestamp,
  current: Type.Boolean(),
});
export type Session = Static<typeof Session>;

export const Presence = Type.Object({
  user_id: Id,
  status: PresenceStatus,
  last_seen_at: Nullable(Timestamp),
});
export type Presence = Static<typeof Presence>;

/** The limits in force, sent in the hello frame and at GET /api/v1/limits. */
export const Limits = Type.Object({
  max_frame_bytes: Type.Integer(),
  max_body_bytes: Type.Integer(),
  max_message_chars: Type.Integer(),
  send_rate_per_sec: Type.Number(),
  send_burst: Type.Integer(),
  frame_rate_per_sec: Type.Number(),
  frame_burst: Type.Integer(),
  edit_window_ms: Nullable(Type.Integer({ description: 'null means unlimited' })),
  recall_window_ms: Nullable(Type.Integer({ description: 'null means unlimited' })),
  /** The range of burn-after-reading timers, in seconds; the longest is also how long an unread burn message waits. */
  burn_min_s: Type.Integer(),
  burn_max_s: Type.Integer(),
  history_page_max: Type.Integer(),
  heartbeat_ms: Type.Integer(),
  typing_ttl_ms: Type.Integer(),
  max_sockets_per_user: Type.Integer({ description: 'authenticated sockets one user may hold across every node' }),
});
export type Limits = Static<typeof Limits>;

/** An API token's permissions; a session has them all. */
export const TokenScope = Type.Union([Type.Literal('read'), Type.Literal('post'), Type.Literal('manage_webhooks')]);
export type TokenScope = Static<typeof TokenScope>;
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'post', 'manage_webhooks'];

export const ApiToken = Type.Object({
  id: Id,
  name: Type.String(),
  user_id: Id,
  created_at: Timestamp,
  last_used_at: Nullable(Timestamp),
  /** What the token may do: `read` (history, search, live events), `post` (send, react, edit, join…), `manage_webhooks` (incoming and outgoing webhooks, slash commands). */
  scopes: Type.Array(TokenScope),
});
export type ApiToken = Static<typeof ApiToken>;

/**
 * An incoming webhook: a secret URL that posts into one conversation, Slack-compatible, as its
 * own bot account (`bot_user_id`, named after the hook, a member of the conversation).
 */
/** What an incoming webhook accepts: Slack's payload, or a developer tool's (posted as self-updating threads). */
export const WebhookKind = Type.Union([
  Type.Literal('slack'),
  Type.Literal('alertmanager'),
  Type.Literal('grafana'),
  Type.Literal('github'),
  Type.Literal('gitlab'),
  Type.Literal('sentry'),
  Type.Literal('ci'),
]);
export type WebhookKind = Static<typeof WebhookKind>;

export const IncomingWebhook = Type.Object({
  id: Id,
  conv_id: Id,
  kind: WebhookKind,
  name: Type.String(),
  icon_url: Nullable(Type.String()),
  /** The username an `alertmanager` or `grafana` hook also wants as HTTP basic auth; null when it wants none. */
  basic_auth_user: Nullable(Type.String()),
  bot_user_id: Id,
  created_by: Id,
  created_at: Timestamp,
  last_used_at: Nullable(Timestamp),
});
export type IncomingWebhook = Static<typeof IncomingWebhook>;

/** What an outgoing webhook is told about: messages (all, or those starting with a trigger word), reactions, members joining. */
export const OutgoingEventKind = Type.Union([Type.Literal('message'), Type.Literal('reaction'), Type.Literal('member_joined')]);
export type OutgoingEventKind = Static<typeof OutgoingEventKind>;

/**
 * An outgoing webhook: Parley POSTs a conversation's events to `url`, signed with the hook's
 * secret, from a durable outbox. `format` `slack` sends the form fields of Slack's outgoing
 * webhooks (messages only). A reply `{text}` posts back as the hook's bot (`bot_user_id`).
 */
export const OutgoingWebhook = Type.Object({
  id: Id,
  conv_id: Id,
  name: Type.String(),
  url: Type.String(),
  events: Type.Array(OutgoingEventKind),
  trigger_words: Type.Array(Type.String()),
  format: Type.Union([Type.Literal('json'), Type.Literal('slack')]),
  bot_user_id: Id,
  created_by: Id,
  created_at: Timestamp,
});
export type OutgoingWebhook = Static<typeof OutgoingWebhook>;

/** One event on its way to an outgoing webhook: `dead` after its retry time ran out or a refusal (4xx). */
export const WebhookDelivery = Type.Object({
  id: Id,
  hook_id: Id,
  seq: Type.Integer(),
  event_type: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')]),
  attempts: Type.Integer(),
  created_at: Timestamp,
  last_attempt_at: Nullable(Timestamp),
  /** Pending only: when the next attempt is due. */
  next_attempt_at: Nullable(Timestamp),
  delivered_at: Nullable(Timestamp),
  /** The receiver's HTTP status on the last attempt, if it answered. */
  status_code: Nullable(Type.Integer()),
  /** Why the last attempt failed (or, when delivered, why its reply was not posted). */
  error: Nullable(Type.String()),
  latency_ms: Nullable(Type.Integer()),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

/**
 * A custom slash command: `/command text` in any conversation calls `url` with Slack's slash
 * command fields. `url` is shown to workspace admins only (null for everyone else).
 */
export const SlashCommand = Type.Object({
  id: Id,
  /** Without the slash: `deploy` for `/deploy`. */
  command: Type.String(),
  description: Type.String(),
  /** What follows the command, as shown while typing: `[service] [environment]`. */
  usage_hint: Type.String(),
  /** Who its answers appear from. */
  bot_user_id: Id,
  url: Nullable(Type.String()),
  created_at: Timestamp,
});
export type SlashCommand = Static<typeof SlashCommand>;

/**
 * A message only one person sees (a slash command's ephemeral answer): delivered to that user's
 * devices, never stored in the conversation's log, gone after a reload.
 */
export const EphemeralMessage = Type.Object({
  id: Id,
  conv_id: Id,
  thread_root_id: Nullable(Id),
  sender_id: Id,
  body: Type.String(),
  created_at: Timestamp,
});
export type EphemeralMessage = Static<typeof EphemeralMessage>;

/** A reminder set with `/remind me …`: at `due_at` the Parley bot posts `text` in a DM with its owner. */
export const Reminder = Type.Object({
  id: Id,
  text: Type.String(),
  due_at: Timestamp,
  /** Where it was set (a link back), if anywhere. */
  conv_id: Nullable(Id),
  created_at: Timestamp,
});
export type Reminder = Static<typeof Reminder>;
