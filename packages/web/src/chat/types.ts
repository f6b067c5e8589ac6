import type { Conversation, EphemeralMessage, Limits, Member, Message, NotificationSettings, Presence, SlashCommand, User } from '@parley/protocol';
import type { ConnectionState, Timeline } from '@parley/sdk';

/** A conversation's loaded window of history: the SDK's model, shared with its reducer. */
export type { Timeline } from '@parley/sdk';

export type SendStatus = 'pending' | 'failed';

/** A message the server has not acknowledged yet (or refused for good). */
export interface PendingMessage {
  client_msg_id: string;
  conv_id: string;
  body: string;
  reply_to: string | null;
  created_at: number;
  status: SendStatus;
  error: string | null;
  /** Files attached (already uploaded), shown under the pending text. */
  files?: { id: string; name: string; size: number }[];
  /** Burn after reading, in seconds: such a send is kept in memory only, never in IndexedDB. */
  burn_after?: number;
}

export interface ThreadState {
  root: Message | null;
  replies: Message[];
  loading: boolean;
  error: string | null;
  /** Earlier replies exist on the server (a long thread opens at its latest page). */
  hasOlder: boolean;
  loadingOlder: boolean;
}

export interface TypingEntry {
  until: number;
  thread_root_id: string | null;
}

export type MissingReason = 'not_found' | 'not_member';

export interface ChatState {
  me: User;
  connection: ConnectionState;
  online: boolean;
  /** This device's low-bandwidth mode: no typing or presence traffic, smaller history pages. */
  lowBandwidth: boolean;
  /** Why the server refused the socket, when retrying alone cannot help (cleared by the next hello). */
  refusal: 'too_many_connections' | null;
  /** The cache (or the first network answer) has been applied: the shell can render. */
  ready: boolean;
  conversations: Record<string, Conversation>;
  /** The log seq up to which a conversation's unread and mention counts are exact. */
  countsAsOf: Record<string, number>;
  timelines: Record<string, Timeline>;
  members: Record<string, Record<string, Member>>;
  /** Read cursors of other members learned from `read` events, for conversations whose members are not loaded yet. */
  reads: Record<string, Record<string, number>>;
  users: Record<string, User>;
  pending: Record<string, PendingMessage>;
  typing: Record<string, Record<string, TypingEntry>>;
  presence: Record<string, Presence>;
  threads: Record<string, ThreadState>;
  limits: Limits | null;
  missing: Record<string, MissingReason>;
  /**
   * Per conversation: answers only this user sees (a slash command's, a reminder's confirmation),
   * oldest first. Not in the log: never unread, never cached, gone after a reload.
   */
  ephemeral: Record<string, readonly EphemeralMessage[]>;
  /** The workspace's custom slash commands, once fetched (endpoints included for admins). */
  commands: SlashCommand[] | null;
  /** My Do Not Disturb and sounds, from the server (null until the first answer). */
  notifications: NotificationSettings | null;
}
