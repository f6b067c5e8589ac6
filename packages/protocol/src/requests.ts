import { Type, type Static } from '@sinclair/typebox';
import { BurnAfter, BurnExpiresAt } from './burn.js';
import { Id, Nullable, HistoryVisibility, MemberRole, OutgoingEventKind, TokenScope, Visibility, WebhookKind } from './entities.js';

/**
 * Request bodies, shared by REST routes and socket frames so both validate the same way.
 * Names pair a schema with its inferred type: `SendMessageBody` / `SendMessageBody` (Static).
 */
export const Username = Type.String({ minLength: 2, maxLength: 32, pattern: '^[a-z0-9][a-z0-9._-]*$' });
export const Password = Type.String({ minLength: 8, maxLength: 256 });
export const ClientMsgId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const Emoji = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\s]+$' });

export const RegisterBody = Type.Object(
  {
    username: Username,
    password: Password,
    display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    invite_code: Type.Optional(Type.String({ maxLength: 128 })),
    device_name: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

/** A six-digit authenticator code (spaces are allowed, as apps show `123 456`). */
export const TotpCode = Type.String({ minLength: 6, maxLength: 8, pattern: '^[0-9 ]+$' });
/** A recovery code as shown (`abcd-efgh-ijkl`); case and dashes do not matter. */
export const RecoveryCode = Type.String({ minLength: 8, maxLength: 32 });

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    device_name: Type.Optional(Type.String({ maxLength: 128 })),
    /** With two-factor sign-in on: the code in the same request (else the answer is `mfa_required`). */
    code: Type.Optional(TotpCode),
    recovery_code: Type.Optional(RecoveryCode),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

/** The single-use code single sign-on's callback put in the web app's address, for a session. */
export const SsoExchangeBody = Type.Object({ code: Type.String({ minLength: 16, maxLength: 128 }), device_name: Type.Optional(Type.String({ maxLength: 128 })) }, { additionalProperties: false });
export type SsoExchangeBody = Static<typeof SsoExchangeBody>;

/** A message window: milliseconds (up to a year), or null for unlimited. */
const MessageWindow = Type.Union([Type.Integer({ minimum: 0, maximum: 365 * 86_400_000 }), Type.Null()]);

/** A retention: messages older than this many days are erased; null keeps them forever. */
export const RetentionDays = Type.Union([Type.Integer({ minimum: 1, maximum: 36500 }), Type.Null()]);

/** `PUT /conversations/:id/retention`: the conversation's own retention, or null for the workspace's. */
export const ConversationRetentionBody = Type.Object({ days: RetentionDays }, { additionalProperties: false });
export type ConversationRetentionBody = Static<typeof ConversationRetentionBody>;

export const WorkspaceSettingsPatch = Type.Object(
  {
    require_2fa: Type.Optional(Type.Boolean()),
    secret_policy: Type.Optional(Type.Union([Type.Literal('mask'), Type.Literal('block'), Type.Literal('warn')])),
    edit_window_ms: Type.Optional(MessageWindow),
    recall_window_ms: Type.Optional(MessageWindow),
    registration: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('invite')])),
    retention_days: Type.Optional(RetentionDays),
    // The server checks these as it checks PARLEY_MAX_MESSAGE_CHARS and PARLEY_MAX_UPLOAD_BYTES.
    max_message_chars: Type.Optional(Type.Integer()),
    max_upload_bytes: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type WorkspaceSettingsPatch = Static<typeof WorkspaceSettingsPatch>;

/** The second step of a sign-in: the challenge `mfa_required` gave, and a code or a recovery code. */
export const SecondFactorBody = Type.Object(
  { challenge: Type.String({ minLength: 16, maxLength: 128 }), code: Type.Optional(TotpCode), recovery_code: Type.Optional(RecoveryCode) },
  { additionalProperties: false },
);
export type SecondFactorBody = Static<typeof SecondFactorBody>;

export const EnableTwoFactorBody = Type.Object({ code: TotpCode }, { additionalProperties: false });
export type EnableTwoFactorBody = Static<typeof EnableTwoFactorBody>;

/** Turning two-factor off, or making new recovery codes, needs a current code (or a recovery code). */
export const ProveTwoFactorBody = Type.Object({ code: Type.Optional(TotpCode), recovery_code: Type.Optional(RecoveryCode) }, { additionalProperties: false });
export type ProveTwoFactorBody = Static<typeof ProveTwoFactorBody>;

export const RefreshBody = Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false });
export type RefreshBody = Static<typeof RefreshBody>;

export const UpdateProfileBody = Type.Object(
  {
    display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    avatar_url: Type.Optional(Type.Union([Type.String({ maxLength: 2048, pattern: '^https?://' }), Type.Null()])),
    status_text: Type.Optional(Type.Union([Type.String({ maxLength: 140 }), Type.Null()])),
    status_emoji: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 32, pattern: '^\\S+$' }), Type.Null()])),
    /**
     * When the status clears itself (in the future); null: it stays. Setting status_text or
     * status_emoji without it sets a status that stays.
     */
    status_expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
    /** An IANA time zone name the server's Intl knows (`Europe/Paris`), or null. */
    time_zone: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type UpdateProfileBody = Static<typeof UpdateProfileBody>;

export const CreateConversationBody = Type.Union([
  Type.Object({ kind: Type.Literal('dm'), user_id: Id }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('group'),
      member_ids: Type.Array(Id, { minItems: 1, maxItems: 256 }),
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('channel'),
      name: Type.String({ minLength: 1, maxLength: 80, pattern: '^[^\\s#@][^#@]*$' }),
      visibility: Visibility,
      topic: Type.Optional(Type.String({ maxLength: 250 })),
      purpose: Type.Optional(Type.String({ maxLength: 250 })),
      history_visibility: Type.Optional(HistoryVisibility),
      member_ids: Type.Optional(Type.Array(Id, { maxItems: 256 })),
    },
    { additionalProperties: false },
  ),
]);
export type CreateConversationBody = Static<typeof CreateConversationBody>;

export const UpdateConversationBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 80, pattern: '^[^\\s#@][^#@]*$' })),
    topic: Type.Optional(Type.String({ maxLength: 250 })),
    /** Null or blank clears it. */
    purpose: Type.Optional(Nullable(Type.String({ maxLength: 250 }))),
    archived: Type.Optional(Type.Boolean()),
    /** Channels only, by those who may rename it; applies to members added from then on. */
    history_visibility: Type.Optional(HistoryVisibility),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateConversationBody = Static<typeof UpdateConversationBody>;

export const AddMemberBody = Type.Object({ user_id: Id }, { additionalProperties: false });
export type AddMemberBody = Static<typeof AddMemberBody>;

export const SetRoleBody = Type.Object({ role: MemberRole }, { additionalProperties: false });
export type SetRoleBody = Static<typeof SetRoleBody>;

export const SendMessageBody = Type.Object(
  {
    client_msg_id: ClientMsgId,
    /** May be empty when the message carries files. */
    body: Type.String(),
    reply_to: Type.Optional(Id),
    /** Completed uploads of the sender, each attached to one message only. */
    attachments: Type.Optional(Type.Array(Id, { maxItems: 10, uniqueItems: true })),
    /** Burn after reading: each recipient sees it this long from their first reveal. */
    burn_after: Type.Optional(BurnAfter),
    /** With `burn_after`: gone for everyone at this time at the latest (default and maximum: the server's limit). */
    expires_at: Type.Optional(BurnExpiresAt),
  },
  { additionalProperties: false },
);
export type SendMessageBody = Static<typeof SendMessageBody>;

export const EditMessageBody = Type.Object({ body: Type.String({ minLength: 1 }) }, { additionalProperties: false });
export type EditMessageBody = Static<typeof EditMessageBody>;

/** A tag as typed: `bug` or `#bug`; folded to lower case by the server, which checks its characters. */
export const TagName = Type.String({ minLength: 1, maxLength: 51 });
export const TagBody = Type.Object({ tag: TagName }, { additionalProperties: false });
export type TagBody = Static<typeof TagBody>;

export const ReactionBody = Type.Object({ emoji: Emoji }, { additionalProperties: false });
export type ReactionBody = Static<typeof ReactionBody>;

export const MarkReadBody = Type.Object({ seq: Seq }, { additionalProperties: false });
export type MarkReadBody = Static<typeof MarkReadBody>;

/**
 * Typing over REST. `thread_root_id` is relayed to every member, so it is held to an id like
 * everywhere else (the socket's `typing.start` uses the same schema for it).
 */
export const TypingThreadRootId = Id;
export const TypingBody = Type.Object({ thread_root_id: Type.Optional(TypingThreadRootId), active: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export type TypingBody = Static<typeof TypingBody>;

export const HistoryQuery = Type.Object(
  {
    after_seq: Type.Optional(Seq),
    before_seq: Type.Optional(Seq),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** Only messages carrying this tag (`bug` or `#bug`). */
    tag: Type.Optional(TagName),
  },
  { additionalProperties: false },
);
export type HistoryQuery = Static<typeof HistoryQuery>;

/** A search (the query language is in docs/search.md); `cursor` is the previous page's `next_cursor`. */
export const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 1000 }),
    order: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('relevance')])),
    cursor: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone for before:/after:/on: days; UTC by default' })),
  },
  { additionalProperties: false },
);
export type SearchQuery = Static<typeof SearchQuery>;

/** A conversation's pinned messages, newest pin first: `before_seq` is the last pin's `seq` of the previous page. */
export const PinsQuery = Type.Object(
  {
    before_seq: Type.Optional(Seq),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type PinsQuery = Static<typeof PinsQuery>;

/** My saved messages, last saved first: `cursor` is the previous page's `next_cursor`. */
export const SavedQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type SavedQuery = Static<typeof SavedQuery>;

/** A thread page: the latest replies, or those before `before_seq`. */
export const ThreadQuery = Type.Object(
  {
    before_seq: Type.Optional(Seq),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type ThreadQuery = Static<typeof ThreadQuery>;

/**
 * Resync: the client's last applied seq per conversation it knows. With `events_limit`, the
 * answer also holds the first page of events (at most that many each) of conversations that
 * moved past a cursor sent here (see SyncResult.events).
 */
export const SyncBody = Type.Object(
  {
    cursors: Type.Record(Type.String({ maxLength: 26 }), Seq, { maxProperties: 10000 }),
    events_limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type SyncBody = Static<typeof SyncBody>;

export const EventsQuery = Type.Object(
  {
    after_seq: Seq,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type EventsQuery = Static<typeof EventsQuery>;

export const NoticesQuery = Type.Object(
  {
    after_seq: Type.Optional(Seq),
    before_seq: Type.Optional(Seq),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);
export type NoticesQuery = Static<typeof NoticesQuery>;

export const CreateInviteBody = Type.Object(
  {
    expires_in_hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 365 })),
    max_uses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'how many people it admits (default 1); more than one makes it a link to share' })),
  },
  { additionalProperties: false },
);
export const InviteParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 128, description: 'the invite’s id (as listed) or its code' }) });
export type InviteParams = Static<typeof InviteParams>;
export type CreateInviteBody = Static<typeof CreateInviteBody>;

export const AdminUpdateUserBody = Type.Object(
  {
    role: Type.Optional(Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member'), Type.Literal('guest')])),
    deactivated: Type.Optional(Type.Boolean()),
    /** What single sign-on links by when the provider verified it; null clears it. */
    email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type AdminUpdateUserBody = Static<typeof AdminUpdateUserBody>;

export const CreateBotBody = Type.Object({ username: Username, display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false });
export type CreateBotBody = Static<typeof CreateBotBody>;

export const CreateTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    user_id: Type.Optional(Type.String({ pattern: '^[0-9A-HJKMNP-TV-Z]{26}$' })),
    /** Default: all of them. A token can only mint tokens with scopes it has itself. */
    scopes: Type.Optional(Type.Array(TokenScope, { minItems: 1, maxItems: 3, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type CreateTokenBody = Static<typeof CreateTokenBody>;

export const CreateWebhookBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    icon_url: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://' })),
    /** Default `slack`. */
    kind: Type.Optional(WebhookKind),
    /** `sentry` only, and required there: the internal integration's Client Secret, which signs each request. */
    signing_secret: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })),
    /** `alertmanager` and `grafana` only: HTTP basic auth the sender must also present. */
    basic_auth: Type.Optional(
      Type.Object({ username: Type.String({ minLength: 1, maxLength: 128, pattern: '^[^:]+$' }), password: Type.String({ minLength: 12, maxLength: 256 }) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const CreateOutgoingWebhookBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    url: Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://' }),
    /** Default `['message']`. */
    events: Type.Optional(Type.Array(OutgoingEventKind, { minItems: 1, maxItems: 3, uniqueItems: true })),
    /** Only messages whose first word is one of these (case-insensitive); none: every message. */
    trigger_words: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S+$' }), { maxItems: 16, uniqueItems: true })),
    /** `json` (default) or `slack`: the form fields of Slack's outgoing webhooks; messages only. */
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('slack')])),
    icon_url: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://' })),
  },
  { additionalProperties: false },
);
export type CreateOutgoingWebhookBody = Static<typeof CreateOutgoingWebhookBody>;

export const DeliveriesQuery = Type.Object(
  {
    state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    /** Deliveries created before this one (the next page, newest first). */
    before: Type.Optional(Type.String({ pattern: '^[0-9A-HJKMNP-TV-Z]{26}$' })),
  },
  { additionalProperties: false },
);
export type DeliveriesQuery = Static<typeof DeliveriesQuery>;

/** A command's name: lower case, no slash; the built-in ones (`me`, `invite`, …) are taken. */
export const CommandName = Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9][a-z0-9_-]*$' });

export const CreateCommandBody = Type.Object(
  {
    command: CommandName,
    url: Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://' }),
    description: Type.Optional(Type.String({ maxLength: 200 })),
    usage_hint: Type.Optional(Type.String({ maxLength: 100 })),
    /** Who its answers appear from; default the command's name. */
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    icon_url: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://' })),
  },
  { additionalProperties: false },
);
export type CreateCommandBody = Static<typeof CreateCommandBody>;

export const RunCommandBody = Type.Object(
  {
    conv_id: Id,
    command: CommandName,
    text: Type.String({ maxLength: 4000 }),
    /** Run from a thread: answers go to that thread. */
    thread_root_id: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type RunCommandBody = Static<typeof RunCommandBody>;

export const MuteBody = Type.Object({ muted: Type.Boolean() }, { additionalProperties: false });
export type MuteBody = Static<typeof MuteBody>;

export const CreateReminderBody = Type.Object(
  {
    /** What follows `/remind`: `me in 10m check deploy`, `me at 14:30 standup`, `me tomorrow at 9am call`. */
    text: Type.String({ minLength: 1, maxLength: 1000 }),
    /** Where it was typed: the confirmation is shown there, only to you. */
    conv_id: Type.Optional(Id),
    /** The IANA time zone `at 14:30` and `tomorrow` are read in; default UTC. */
    tz: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type CreateReminderBody = Static<typeof CreateReminderBody>;
