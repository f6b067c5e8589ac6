import type { NotifyLevel, WebhookKind } from '@parley/protocol';
import type { ColumnType } from 'kysely';
/** Row types of every table, as Kysely sees them. Times are integer milliseconds since the epoch; flags are 0/1. */
export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  display_name: string;
  avatar_url: string | null;
  status_text: string | null;
  role: 'owner' | 'admin' | 'member' | 'guest';
  created_at: number;
  deactivated_at: number | null;
  last_seen_at: number | null;
  /** Set for bot accounts: the user who created the bot. */
  bot_owner_id: string | null;
  /** Lower case, set by admins: what single sign-on may link by (migration 023). */
  email: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1: message text in this user's push notifications (migration 026). */
  push_previews: ColumnType<number, number | undefined, number>;
  /** Do Not Disturb until then (ms), null when off (migration 027). */
  dnd_until: ColumnType<number | null, number | null | undefined, number | null>;
  /** 1: clients play a sound with a notification (migration 027). */
  sounds: ColumnType<number, number | undefined, number>;
  /** Shown with status_text (migration 029). */
  status_emoji: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the status clears itself (ms), null when it stays (migration 029). */
  status_expires_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** IANA time zone name (migration 029). */
  time_zone: ColumnType<string | null, string | null | undefined, string | null>;
  /** The uploaded avatar's blob; avatar_url is then its same-origin path (migration 029). */
  avatar_sha256: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  device_name: string;
  user_agent: string;
  ip: string;
  refresh_gen: number;
  refresh_hash: string;
  /** Hash of the session key every refresh token of this session carries; null for sessions older than keys. */
  key_hash: string | null;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  /** 1: the workspace requires two-factor sign-in and this session may only turn it on (migration 023). */
  enrol_2fa: ColumnType<number, number | undefined, number>;
}

export interface InvitesTable {
  code_hash: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  used_by: string | null;
  used_at: number | null;
  /** What admins list and revoke it by (migration 030); older rows take the start of their hash. */
  id: string | null;
  /** The code's last characters, to tell links apart (030). */
  hint: string | null;
  max_uses: ColumnType<number, number | undefined, number>;
  uses: ColumnType<number, number | undefined, number>;
  revoked_at: number | null;
}

/** Who signed up with which invite (030). */
export interface InviteUsesTable {
  invite_id: string;
  user_id: string;
  used_at: number;
}

export interface ConversationsTable {
  id: string;
  kind: 'dm' | 'group' | 'channel';
  name: string | null;
  topic: string;
  /** What it is for (031); null when nobody set one. */
  purpose: string | null;
  /** Its own retention in days (034); null follows the workspace's. */
  retention_days: number | null;
  visibility: 'public' | 'private' | null;
  history_visibility: 'full' | 'since_join';
  dm_key: string | null;
  created_by: string;
  created_at: number;
  last_seq: number;
  archived_at: number | null;
  member_count: number;
}

export interface MembersTable {
  conv_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'member';
  joined_at: number;
  visible_from_seq: number;
  left_seq: number | null;
  read_seq: number;
  delivered_seq: number;
  /** What notifies the member here (migration 027, replacing 017's `muted`); null: the kind's default. */
  notify: NotifyLevel | null;
}

export interface MessagesTable {
  id: string;
  conv_id: string;
  seq: number;
  sender_id: string;
  client_msg_id: string;
  body: string;
  reply_to: string | null;
  thread_root_id: string | null;
  reply_count: number;
  last_reply_at: number | null;
  mentions_all: number;
  created_at: number;
  edited_at: number | null;
  recalled_at: number | null;
  recalled_by: string | null;
  /** Burn after reading (migration 025): null for ordinary messages. */
  burn_after_ms: number | null;
  burn_expires_at: number | null;
  /** When the sweeper burns it for everyone; null once burned and for ordinary messages. */
  burns_at: number | null;
  burned_at: number | null;
  /** When the retention sweeper erased it (034): no read path serves it any more. */
  expired_at: number | null;
}

export interface ServerKeysTable {
  name: string;
  value: string;
  created_at: number;
}

export interface PushSubscriptionsTable {
  id: string;
  user_id: string;
  session_id: string | null;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: number;
  last_sent_at: number | null;
}

export interface PushCursorsTable {
  conv_id: string;
  seq: number;
}

export interface PushDeliveriesTable {
  id: string;
  subscription_id: string;
  message_id: string;
  mention: number;
  attempts: number;
  next_at: number;
  expires_at: number;
  created_at: number;
}

export interface BurnRevealsTable {
  message_id: string;
  user_id: string;
  revealed_at: number;
  /** This reader's end: revealed_at + burn_after, capped by the message's burn_expires_at. */
  burns_at: number;
}

export interface MessageEditsTable {
  message_id: string;
  edited_at: number;
  previous_body: string;
}

export interface ReactionsTable {
  message_id: string;
  user_id: string;
  emoji: string;
  created_at: number;
}

export interface MentionsTable {
  message_id: string;
  conv_id: string;
  seq: number;
  user_id: string;
}

export interface EventsTable {
  conv_id: string;
  seq: number;
  type: string;
  actor_id: string;
  message_id: string | null;
  /** JSON of the event's own fields (not the message, which is read fresh when served). */
  data: string;
  created_at: number;
}

export interface AuditTable {
  id: string;
  actor_id: string | null;
  action: string;
  target: string | null;
  data: string;
  ip: string | null;
  created_at: number;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  secret_hash: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** JSON array of TokenScope. */
  scopes: string;
}

export interface IncomingWebhooksTable {
  id: string;
  conv_id: string;
  bot_user_id: string;
  name: string;
  icon_url: string | null;
  secret_hash: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** What it accepts: `slack` (Slack's payload) or a developer tool's (`alertmanager`, `github`…). */
  kind: WebhookKind;
  /** A key the service gave (Sentry's client secret); null when the hook's own key is used. */
  verify_secret: string | null;
  /** `user:hashSecret(password)` when the sender must also use HTTP basic auth. */
  basic_auth: string | null;
}

export interface OutgoingWebhooksTable {
  id: string;
  conv_id: string;
  bot_user_id: string;
  name: string;
  url: string;
  /** JSON array of `OutgoingEventKind`. */
  events: string;
  /** JSON array of trigger words; empty: every message. */
  trigger_words: string;
  format: 'json' | 'slack';
  secret: string;
  /** The last seq of the conversation's log turned into deliveries (or skipped). */
  cursor_seq: number;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  hook_id: string;
  seq: number;
  event_type: string;
  payload: string;
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  /** When it is due; while an attempt runs, when that attempt's claim lapses. */
  next_at: number;
  retry_until: number;
  created_at: number;
  last_attempt_at: number | null;
  delivered_at: number | null;
  status_code: number | null;
  error: string | null;
  latency_ms: number | null;
}

export interface SlashCommandsTable {
  id: string;
  command: string;
  bot_user_id: string;
  url: string;
  description: string;
  usage_hint: string;
  secret: string;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
}

export interface CommandInvocationsTable {
  id: string;
  command_id: string;
  conv_id: string;
  user_id: string;
  thread_root_id: string | null;
  secret_hash: string;
  created_at: number;
  /** Answers taken through the response_url so far. */
  uses: number;
}

export interface RemindersTable {
  id: string;
  user_id: string;
  conv_id: string | null;
  text: string;
  due_at: number;
  /** The due time; while a node posts it, when that claim lapses. */
  next_at: number;
  created_at: number;
  fired_at: number | null;
}

export interface TwoFactorTable {
  user_id: string;
  /** The authenticator secret (base32) once confirmed; null while only a pending one exists. */
  secret: string | null;
  pending_secret: string | null;
  enabled_at: number | null;
  /** The TOTP time step of the last accepted code: a code of that step or earlier is refused. */
  last_step: number | null;
}

export interface RecoveryCodesTable {
  user_id: string;
  code_hash: string;
  used_at: number | null;
}

export interface MfaChallengesTable {
  id_hash: string;
  user_id: string;
  device_name: string | null;
  attempts: number;
  created_at: number;
  expires_at: number;
}

export interface SsoIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: string;
  email: string | null;
  created_at: number;
  last_login_at: number;
}

export interface SsoFlowsTable {
  state_hash: string;
  browser_hash: string;
  nonce: string;
  verifier: string;
  return_to: string;
  created_at: number;
  expires_at: number;
}

export interface SsoGrantsTable {
  code_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface WorkspaceSettingsTable {
  key: string;
  value: string;
  updated_at: number;
  updated_by: string | null;
}

/** A pin of a message, current (`unpin_seq` null) or past (migration 028, pins/service.ts). */
export interface MessagePinsTable {
  message_id: string;
  conv_id: string;
  /** The message's seq. */
  seq: number;
  pinned_by: string;
  pinned_at: number;
  /** The seq of the `message.pinned` event that pinned it, and of the one that unpinned it. */
  pin_seq: number;
  unpin_seq: number | null;
}

/** A message a user saved for themselves (migration 028, pins/saved.ts). */
export interface SavedMessagesTable {
  user_id: string;
  message_id: string;
  saved_at: number;
}

export interface MessageTagsTable {
  message_id: string;
  conv_id: string;
  seq: number;
  tag: string;
  /** Null: read from the body; a user: added afterwards. */
  added_by: string | null;
  created_at: number;
}

export interface IntegrationThreadsTable {
  hook_id: string;
  /** sha256 of the thing's key (`am:<groupKey>`). */
  key_hash: string;
  root_message_id: string;
  /** JSON: what the receiver remembers (the alerts and their states). */
  state: string;
  version: number;
  created_at: number;
  updated_at: number;
  /** JSON `{root, replies}` the latest state change has yet to post; null once posted. */
  pending: string | null;
}

export interface PresenceTable {
  node_id: string;
  user_id: string;
  away: number;
  updated_at: number;
  /** Sockets this node holds for the user (the per-account cap sums them over fresh rows). */
  sockets: number;
}

/** A deployment-wide token bucket (see core/limits.ts and migration 006). */
/** A sign-in lockout key's state (migration 022, auth/lockouts.ts). */
export interface LoginLockoutsTable {
  key: string;
  failures: number;
  window_started_at: number;
  level: number;
  locked_until: number | null;
  last_failure_at: number | null;
}

export interface RateBucketsTable {
  key: string;
  tokens: number;
  at: number;
  rate: number;
  burst: number;
  cost: number;
  want: number;
  granted: number;
}

/** A tus upload and, once complete, what was learnt from its bytes (migration 008). */
export interface UploadsTable {
  id: string;
  uploader_id: string;
  name: string;
  size: number;
  offset: number;
  state: 'uploading' | 'complete';
  created_at: number;
  completed_at: number | null;
  sha256: string | null;
  mime: string | null;
  width: number | null;
  height: number | null;
  preview: string | null;
  thumb_sha256: string | null;
  /** The message that carries the file; null until one attaches it. */
  message_id: string | null;
  attach_pos: number | null;
}

/** A blob in the BlobStore and when an upload last claimed it (migration 009; files/collector.ts). */
export interface BlobsTable {
  sha256: string;
  /** Null for thumbnails recorded by the migration's backfill. */
  size: number | null;
  last_used_at: number;
}

/** One searchable message on PostgreSQL (migration 010); SQLite keeps its index in search.db (search/sqlite-index-file.ts). */
export interface SearchDocsTable {
  doc_id: number;
  message_id: string;
  conv_id: string;
  seq: number;
  sender_id: string;
  created_at: number;
  flags: number;
}

export interface SearchQueueTable {
  message_id: string;
}

export interface SearchStateTable {
  key: string;
  value: string;
}

/** Message trace (trace/, migration 032): one row per message, written with it. No content. */
export interface MessageTracesTable {
  message_id: string;
  conv_id: string;
  seq: number;
  sender_id: string;
  session_id: string | null;
  accepted_at: number;
  written_at: number;
  batch_id: string;
  batch_size: number;
  node_id: string;
}

/** One group-commit batch's times, recorded once it committed and published. */
export interface TraceBatchesTable {
  batch_id: string;
  node_id: string;
  committed_at: number;
  published_at: number;
}

/** A device's delivery or read cursor move in one conversation. */
export interface TraceAcksTable {
  conv_id: string;
  session_id: string;
  user_id: string;
  kind: 'delivered' | 'read';
  seq: number;
  at: number;
  node_id: string;
}

/** A running node's last heartbeat (033, admin/heartbeat.ts). */
export interface NodesTable {
  name: string;
  started_at: number;
  heartbeat_at: number;
  sockets: number;
  authenticated_sockets: number;
  users: number;
  messages_last_minute: number;
}

/** Where a device's socket is, and when it was last seen. */
export interface TraceDevicesTable {
  session_id: string;
  user_id: string;
  node_id: string;
  sockets: number;
  connected_at: number;
  last_seen_at: number;
}

export interface Database {
  search_docs: SearchDocsTable;
  search_state: SearchStateTable;
  search_queue: SearchQueueTable;
  uploads: UploadsTable;
  blobs: BlobsTable;
  presence: PresenceTable;
  rate_buckets: RateBucketsTable;
  login_lockouts: LoginLockoutsTable;
  api_tokens: ApiTokensTable;
  incoming_webhooks: IncomingWebhooksTable;
  outgoing_webhooks: OutgoingWebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  slash_commands: SlashCommandsTable;
  command_invocations: CommandInvocationsTable;
  reminders: RemindersTable;
  integration_threads: IntegrationThreadsTable;
  message_tags: MessageTagsTable;
  message_pins: MessagePinsTable;
  saved_messages: SavedMessagesTable;
  two_factor: TwoFactorTable;
  recovery_codes: RecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
  sso_identities: SsoIdentitiesTable;
  sso_flows: SsoFlowsTable;
  sso_grants: SsoGrantsTable;
  workspace_settings: WorkspaceSettingsTable;
  users: UsersTable;
  sessions: SessionsTable;
  invites: InvitesTable;
  invite_uses: InviteUsesTable;
  conversations: ConversationsTable;
  members: MembersTable;
  messages: MessagesTable;
  burn_reveals: BurnRevealsTable;
  server_keys: ServerKeysTable;
  push_subscriptions: PushSubscriptionsTable;
  push_cursors: PushCursorsTable;
  push_deliveries: PushDeliveriesTable;
  message_edits: MessageEditsTable;
  reactions: ReactionsTable;
  mentions: MentionsTable;
  events: EventsTable;
  audit_log: AuditTable;
  message_traces: MessageTracesTable;
  trace_batches: TraceBatchesTable;
  trace_acks: TraceAcksTable;
  trace_devices: TraceDevicesTable;
  nodes: NodesTable;
}
