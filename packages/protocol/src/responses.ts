import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  ApiToken,
  Conversation,
  EphemeralMessage,
  IncomingWebhook,
  SlashCommand,
  TagCount,
  Reminder,
  OutgoingWebhook,
  WebhookDelivery,
  ConversationKind,
  Id,
  Limits,
  Member,
  Message,
  Nullable,
  Pin,
  Presence,
  SavedMessage,
  Session,
  Timestamp,
  User,
  Visibility,
} from './entities.js';
import { ERROR_CODES, type ErrorCode } from './errors.js';
import { LogEvent } from './events.js';

/**
 * REST response bodies. The server serialises every answer through these schemas, which drops
 * any field that is not declared: a field clients need must be here, and a field nobody meant
 * to send (a password hash, an internal column) never leaves. Types are inferred from the
 * schemas, so the TypeScript contract and the wire are the same thing.
 */

/** A credential found in a text sent: its kind and UTF-16 offsets in that text (end exclusive). */
export const SecretFindingSchema = Type.Object({ kind: Type.String(), start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 0 }) });

/** What the send's secret scan found in the text sent (offsets in that text), per the workspace's policy. */
export const SecretsReport = Type.Object({ policy: Type.Union([Type.Literal('mask'), Type.Literal('warn')]), found: Type.Array(SecretFindingSchema) });

/** The answer to a REST send: the message, and `secrets` when the body held credentials (masked or stored with a warning). */
export const SentMessage = Type.Composite([Message, Type.Object({ secrets: Type.Optional(SecretsReport) })], { $id: 'SentMessage' });
export type SentMessage = Static<typeof SentMessage>;

/** What happens to a credential in a message: masked before it is stored, the send refused, or stored with a warning. */
export const SecretPolicy = Type.Union([Type.Literal('mask'), Type.Literal('block'), Type.Literal('warn')], {
  description: 'mask (default): stored as AKIA********MPLE; block: refused with secret_detected; warn: stored, the sender told',
});
export type SecretPolicy = Static<typeof SecretPolicy>;

/** `{ "error": { "code", "message" } }`, with `retry_after_ms` on `rate_limited` and `field` on `invalid_request`. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      // One string enum rather than a union of literals: the document lists the codes in one place.
      code: Type.Unsafe<ErrorCode>({ type: 'string', enum: ERROR_CODES }),
      message: Type.String(),
      retry_after_ms: Type.Optional(Type.Integer({ minimum: 0 })),
      field: Type.Optional(Type.String({ description: 'JSON pointer to the field that was wrong' })),
      challenge: Type.Optional(Type.String({ description: 'with mfa_required: answer it with a code at POST /auth/login/2fa' })),
      secrets: Type.Optional(Type.Array(SecretFindingSchema, { description: 'with secret_detected: each credential found, by kind and position in the text sent' })),
    }),
  },
  { description: 'An error: the status plus a stable snake_case code and a human sentence' },
);
export type ErrorResponse = Static<typeof ErrorResponse>;

/** What register, login and refresh answer. */
export const AuthResult = Type.Object({
  user: User,
  access_token: Type.String(),
  refresh_token: Type.String(),
  session_id: Id,
  expires_in: Type.Integer({ description: 'access token lifetime in seconds' }),
  must_enrol_2fa: Type.Boolean({ description: 'the workspace requires two-factor sign-in: until it is on, this session may only use /me, /me/2fa/setup, /me/2fa/enable and /auth/logout' }),
});
export type AuthResult = Static<typeof AuthResult>;

/** How this workspace signs people in: shown by the sign-in screen before anyone is signed in. */
export const AuthOptions = Type.Object({
  password_login: Type.Union([Type.Literal('everyone'), Type.Literal('admins')]),
  registration: Type.Union([Type.Literal('open'), Type.Literal('invite'), Type.Literal('closed')], { description: '`closed`: accounts come from single sign-on' }),
  sso: Nullable(Type.Object({ name: Type.String(), start_url: Type.String({ description: 'open it in the browser; it comes back to the web app signed in' }) })),
});
export type AuthOptions = Static<typeof AuthOptions>;

/** What owners and admins change at run time (`PATCH /admin/settings`). */
export const WorkspaceSettings = Type.Object({
  require_2fa: Type.Boolean({ description: 'people who sign in with a password must turn two-factor sign-in on before anything else' }),
  secret_policy: SecretPolicy,
  edit_window_ms: Nullable(Type.Integer({ minimum: 0, description: 'how long after sending its author may edit a message; null: unlimited (default PARLEY_EDIT_WINDOW)' })),
  recall_window_ms: Nullable(Type.Integer({ minimum: 0, description: 'how long after sending its author may recall a message (admins always may); null: unlimited (default PARLEY_RECALL_WINDOW)' })),
  registration: Type.Union([Type.Literal('open'), Type.Literal('invite')], { description: '`invite`: sign-up needs an invite code (default PARLEY_REGISTRATION)' }),
  retention_days: Nullable(
    Type.Integer({
      minimum: 1,
      maximum: 36500,
      description: 'messages and their files older than this many days are erased; null: kept forever (default PARLEY_RETENTION_DAYS); a conversation may have its own',
    }),
  ),
  max_message_chars: Type.Integer({ minimum: 1, description: 'the longest message, in characters (default PARLEY_MAX_MESSAGE_CHARS)' }),
  max_upload_bytes: Type.Integer({ minimum: 1, description: 'the largest file one upload may declare, in bytes (default PARLEY_MAX_UPLOAD_BYTES)' }),
});
export type WorkspaceSettings = Static<typeof WorkspaceSettings>;

/** A new authenticator secret, waiting for its first code (`POST /me/2fa/enable`). */
export const TwoFactorSetup = Type.Object({ secret: Type.String(), otpauth_uri: Type.String() });
export type TwoFactorSetup = Static<typeof TwoFactorSetup>;

/** Recovery codes, each usable once instead of an authenticator code: shown only when made. */
export const RecoveryCodes = Type.Object({ recovery_codes: Type.Array(Type.String()) });
export type RecoveryCodes = Static<typeof RecoveryCodes>;

export const TwoFactorStatus = Type.Object({ enabled: Type.Boolean(), enabled_at: Nullable(Timestamp), recovery_codes_left: Type.Integer() });
export type TwoFactorStatus = Static<typeof TwoFactorStatus>;

export const Invite = Type.Object({
  code: Type.String({ description: 'shown this once: only its hash is kept (a sign-up link is `/invite/CODE`)' }),
  expires_at: Timestamp,
  id: Type.Optional(Type.String({ description: 'what `GET /invites` lists it by and `DELETE /invites/:code` takes' })),
  max_uses: Type.Optional(Type.Integer({ minimum: 1, description: 'how many people it admits' })),
});
export type Invite = Static<typeof Invite>;

/** An invite as admins see it: never its code, only its last characters. */
export const InviteSummary = Type.Object({
  id: Type.String(),
  hint: Nullable(Type.String({ description: 'the last characters of its code' })),
  state: Type.Union([Type.Literal('active'), Type.Literal('used'), Type.Literal('expired'), Type.Literal('revoked')]),
  created_by: Nullable(Type.Object({ id: Type.String(), username: Type.String() })),
  created_at: Timestamp,
  expires_at: Timestamp,
  revoked_at: Nullable(Timestamp),
  max_uses: Type.Integer({ minimum: 1 }),
  uses: Type.Integer({ minimum: 0 }),
  used_by: Type.Array(Type.Object({ id: Type.String(), username: Type.String(), used_at: Timestamp }), { description: 'who signed up with it, first first' }),
});
export type InviteSummary = Static<typeof InviteSummary>;
export const InviteList = Type.Object({ invites: Type.Array(InviteSummary) });
export type InviteList = Static<typeof InviteList>;

/** A new API token: the secret is in `token`, shown this once. */
export const CreatedApiToken = Type.Composite([ApiToken, Type.Object({ token: Type.String() })]);
export type CreatedApiToken = Static<typeof CreatedApiToken>;

/** A webhook as created or rotated: `url` holds its secret and is shown only then. */
export const CreatedIncomingWebhook = Type.Composite([
  IncomingWebhook,
  /** `signing_secret`: for a `github` hook the Secret to give GitHub (it signs each delivery with it); for `gitlab` the Secret token GitLab sends. */
  Type.Object({ url: Type.String(), signing_secret: Type.Optional(Type.String()) }),
]);
export type CreatedIncomingWebhook = Static<typeof CreatedIncomingWebhook>;

/**
 * An outgoing webhook as created or rotated: `secret` signs each request (`X-Parley-Signature`)
 * and `token` is the verification token a Slack-style receiver compares; both shown only then.
 */
export const CreatedOutgoingWebhook = Type.Composite([OutgoingWebhook, Type.Object({ secret: Type.String(), token: Type.String() })]);
export type CreatedOutgoingWebhook = Static<typeof CreatedOutgoingWebhook>;

/** A command as created: `secret` signs each call (`X-Parley-Signature`), `token` is Slack's verification token; shown only then. */
export const CreatedSlashCommand = Type.Composite([SlashCommand, Type.Object({ secret: Type.String(), token: Type.String() })]);
export type CreatedSlashCommand = Static<typeof CreatedSlashCommand>;

/**
 * What running a command did: `ephemeral` is the answer only the caller sees (also sent to the
 * caller's other devices as `message.ephemeral`), `posted` the message posted in the
 * conversation (`in_channel`); both null when the command answered nothing (yet).
 */
export const CommandResult = Type.Object({ ephemeral: Nullable(EphemeralMessage), posted: Nullable(Type.Object({ id: Id, seq: Type.Integer() })) });
export type CommandResult = Static<typeof CommandResult>;

/** A user as `GET /users/:id` shows it: the profile and where they are now. */
export const UserWithPresence = Type.Composite([User, Type.Object({ presence: Presence })]);
export type UserWithPresence = Static<typeof UserWithPresence>;

export const AuditEntry = Type.Object({
  id: Id,
  actor_id: Nullable(Id),
  /** The actor's username now (null for the system or an unknown sign-in's attempts). */
  actor_username: Nullable(Type.String()),
  action: Type.String(),
  target: Nullable(Type.String()),
  data: Type.Unknown({ description: 'action-specific details' }),
  ip: Nullable(Type.String()),
  created_at: Timestamp,
});
export type AuditEntry = Static<typeof AuditEntry>;

/** One earlier version of an edited message. */
export const MessageEdit = Type.Object({ edited_at: Timestamp, previous_body: Type.String() });
export type MessageEdit = Static<typeof MessageEdit>;

export const ReadCursor = Type.Object({ conv_id: Id, read_seq: Type.Integer() });
export type ReadCursor = Static<typeof ReadCursor>;

export const HistoryPage = Type.Object({ messages: Type.Array(Message), has_more: Type.Boolean() });
export type HistoryPage = Static<typeof HistoryPage>;

/** Where a query matched in a message's body: UTF-16 offsets (as JavaScript indexes strings), end exclusive. */
export const TextRange = Type.Object({ start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 0 }) });
export type TextRange = Static<typeof TextRange>;

export const SearchHit = Type.Object({ message: Message, highlights: Type.Array(TextRange) });
export type SearchHit = Static<typeof SearchHit>;

/**
 * A hit's conversation, enough to name it: the full `Conversation` (with unread counts and last
 * message) cost more than the search itself to present for a page of hits from many conversations.
 */
export const SearchConversation = Type.Object({
  id: Id,
  kind: ConversationKind,
  name: Nullable(Type.String()),
  visibility: Nullable(Visibility),
  archived: Type.Boolean(),
  /** For a DM: the other member (yourself for a note-to-self DM). */
  dm_user_id: Nullable(Id),
  /** Whether you are still a member (false: you left; hits stop at your leave). */
  member: Type.Boolean(),
});
export type SearchConversation = Static<typeof SearchConversation>;

/** A page of hits, newest first or by relevance; the hits' conversations each once; `next_cursor` null on the last page. */
export const SearchPage = Type.Object({ hits: Type.Array(SearchHit), conversations: Type.Array(SearchConversation), next_cursor: Nullable(Type.String()) });
export type SearchPage = Static<typeof SearchPage>;

/** Pinned messages of a conversation, newest pin first; `has_more` when older pins exist (`before_seq` the last one's `seq`). */
export const PinsPage = Type.Object({ pins: Type.Array(Pin), has_more: Type.Boolean() });
export type PinsPage = Static<typeof PinsPage>;

/** My saved messages, last saved first; `next_cursor` null on the last page. */
export const SavedPage = Type.Object({ saved: Type.Array(SavedMessage), next_cursor: Nullable(Type.String()) });
export type SavedPage = Static<typeof SavedPage>;

/** A thread: its root and a page of replies in seq order; `has_more` when earlier replies exist. */
export const ThreadPage = Type.Object({ root: Message, replies: Type.Array(Message), has_more: Type.Boolean() });
export type ThreadPage = Static<typeof ThreadPage>;

export const EventsPage = Type.Object({
  conv_id: Id,
  events: Type.Array(LogEvent),
  /** The highest seq this member may see now. */
  last_seq: Type.Integer(),
  has_more: Type.Boolean(),
});
export type EventsPage = Static<typeof EventsPage>;

/**
 * The membership and channel-change events of a span of the log (`GET /conversations/:id/notices`),
 * in seq order: the lines a timeline draws between messages. `has_more`: older ones exist in the span.
 */
export const NoticesPage = Type.Object({ notices: Type.Array(LogEvent), has_more: Type.Boolean() });
export type NoticesPage = Static<typeof NoticesPage>;

export const SyncResult = Type.Object({
  /** Conversations that moved past the client's cursor, or that it did not know. */
  conversations: Type.Array(Conversation),
  /** Conversation ids the client knows but can no longer see at all. */
  removed: Type.Array(Id),
  /**
   * Only when the request set `events_limit`: for some of the moved conversations whose cursor
   * the client sent, the first page of events after that cursor, exactly as `sync.events` would
   * answer it. A moved conversation without a page here (more than fit, one the member left),
   * or a page with `has_more`, is paged with `sync.events` as before.
   */
  events: Type.Optional(Type.Array(EventsPage)),
});
export type SyncResult = Static<typeof SyncResult>;

export const LimitsInfo = Type.Object({ protocol_level: Type.Integer(), limits: Limits });
export type LimitsInfo = Static<typeof LimitsInfo>;

/** `{ [key]: T[] }`, the shape of every list answer. */
const listOf = <K extends string, T extends TSchema>(key: K, item: T) => Type.Object({ [key]: Type.Array(item) } as { [P in K]: ReturnType<typeof Type.Array<T>> });

export const UserList = listOf('users', User);
export const BotList = listOf('bots', User);
export const SessionList = listOf('sessions', Session);
export const ApiTokenList = listOf('tokens', ApiToken);
export const IncomingWebhookList = listOf('webhooks', IncomingWebhook);
export const TagList = listOf('tags', TagCount);
export const OutgoingWebhookList = listOf('webhooks', OutgoingWebhook);
export const WebhookDeliveryList = listOf('deliveries', WebhookDelivery);
export const SlashCommandList = listOf('commands', SlashCommand);
export const ReminderList = listOf('reminders', Reminder);
export const ConversationList = listOf('conversations', Conversation);
export const MemberList = listOf('members', Member);
export const MessageEditList = listOf('edits', MessageEdit);
export const AuditEntryList = listOf('entries', AuditEntry);
