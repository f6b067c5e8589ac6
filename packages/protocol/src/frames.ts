import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { BurnAfter, BurnExpiresAt } from './burn.js';
import { Id, type RevealedMessage, type Conversation, type Limits, type Message, type Presence, type User } from './entities.js';
import type { ErrorBody, SecretFinding } from './errors.js';
import type { ServerEvent } from './events.js';
import type { EventsPage, HistoryPage, SearchPage, SyncResult } from './responses.js';
import { ClientMsgId, Emoji, SearchQuery, Seq, SyncBody, TagName, TypingThreadRootId } from './requests.js';

/**
 * Socket frames. Client → server: `{ id, type, data }`; the server answers each with a
 * `result` or an `error` frame carrying the same `id`. Server → client pushes are `event`
 * frames. The first client frame must be `auth`.
 */
export const ClientFrameEnvelope = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  type: Type.String({ minLength: 1, maxLength: 64 }),
  data: Type.Optional(Type.Unknown()),
});
export type ClientFrameEnvelope = Static<typeof ClientFrameEnvelope>;

const obj = <P extends Record<string, TSchema>>(props: P) => Type.Object(props, { additionalProperties: false });

/** Per request type: the schema of `data`. */
export const RequestSchemas = {
  auth: obj({ token: Type.String({ minLength: 1, maxLength: 4096 }), device_name: Type.Optional(Type.String({ maxLength: 128 })) }),
  ping: obj({}),
  'message.send': obj({
    conv_id: Id,
    client_msg_id: ClientMsgId,
    /** May be empty when the message carries files. */
    body: Type.String(),
    reply_to: Type.Optional(Id),
    /** Completed uploads of the sender, each attached to one message only. */
    attachments: Type.Optional(Type.Array(Id, { maxItems: 10, uniqueItems: true })),
    burn_after: Type.Optional(BurnAfter),
    expires_at: Type.Optional(BurnExpiresAt),
  }),
  'message.edit': obj({ message_id: Id, body: Type.String({ minLength: 1 }) }),
  'message.recall': obj({ message_id: Id }),
  'message.get': obj({ message_id: Id }),
  /** A burn-after-reading message's text and files for the caller; the first reveal starts their timer. */
  'message.reveal': obj({ message_id: Id }),
  'reaction.add': obj({ message_id: Id, emoji: Emoji }),
  'reaction.remove': obj({ message_id: Id, emoji: Emoji }),
  'tag.add': obj({ message_id: Id, tag: TagName }),
  'tag.remove': obj({ message_id: Id, tag: TagName }),
  'pin.add': obj({ message_id: Id }),
  'pin.remove': obj({ message_id: Id }),
  'read.mark': obj({ conv_id: Id, seq: Seq }),
  'delivery.ack': obj({ conv_id: Id, seq: Seq }),
  'typing.start': obj({ conv_id: Id, thread_root_id: Type.Optional(TypingThreadRootId) }),
  'typing.stop': obj({ conv_id: Id }),
  'presence.set': obj({ status: Type.Union([Type.Literal('online'), Type.Literal('away')]) }),
  'presence.subscribe': obj({ user_ids: Type.Array(Id, { maxItems: 1000 }) }),
  /**
   * What this socket receives besides the log: typing indicators and presence changes. A client
   * on a slow or metered link (the web's low-bandwidth mode) turns both off; both are on at
   * connect. Turning presence off also ends this socket's presence subscriptions.
   */
  'connection.set': obj({ typing: Type.Optional(Type.Boolean()), presence: Type.Optional(Type.Boolean()) }),
  sync: SyncBody,
  'sync.events': obj({ conv_id: Id, after_seq: Seq, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
  history: obj({
    conv_id: Id,
    after_seq: Type.Optional(Seq),
    before_seq: Type.Optional(Seq),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    tag: Type.Optional(TagName),
  }),
  'conversation.list': obj({}),
  'conversation.get': obj({ conv_id: Id }),
  search: SearchQuery,
} as const;

export type RequestType = keyof typeof RequestSchemas;
export type RequestData<T extends RequestType> = Static<(typeof RequestSchemas)[T]>;

export interface SendAck {
  id: string;
  conv_id: string;
  seq: number;
  client_msg_id: string;
  created_at: string;
  /** true when this was a retry answered from the original send. */
  duplicate: boolean;
  message: Message;
  /**
   * Credentials found in the body sent (offsets in that body): masked before it was stored, or
   * stored as sent with this warning, per the workspace's policy. Absent when there were none.
   */
  secrets?: { policy: 'mask' | 'warn'; found: SecretFinding[] };
}

/** What a socket receives besides the log (`connection.set`). */
export interface ConnectionSettings {
  typing: boolean;
  presence: boolean;
}

/** Per request type: what a `result` frame's `data` holds. */
export interface RequestResults {
  auth: HelloFrame;
  ping: { ts: string };
  'message.send': SendAck;
  'message.edit': Message;
  'message.recall': Message;
  'message.get': Message;
  'message.reveal': RevealedMessage;
  'reaction.add': Message;
  'reaction.remove': Message;
  'tag.add': Message;
  'tag.remove': Message;
  'pin.add': Message;
  'pin.remove': Message;
  'read.mark': { conv_id: string; read_seq: number };
  'delivery.ack': { conv_id: string; delivered_seq: number };
  'typing.start': Record<string, never>;
  'typing.stop': Record<string, never>;
  'presence.set': Presence;
  'presence.subscribe': { presences: Presence[] };
  'connection.set': ConnectionSettings;
  sync: SyncResult;
  'sync.events': EventsPage;
  history: HistoryPage;
  'conversation.list': { conversations: Conversation[] };
  'conversation.get': Conversation;
  search: SearchPage;
}

export interface ClientFrame<T extends RequestType = RequestType> {
  id: string;
  type: T;
  data: RequestData<T>;
}

/** The answer to `auth`: carries the auth frame's `id`. */
export interface HelloFrame {
  type: 'hello';
  id: string;
  protocol_level: number;
  user: User;
  session_id: string;
  server_time: string;
  limits: Limits;
}
export interface ResultFrame<T extends RequestType = RequestType> {
  type: 'result';
  id: string;
  data: RequestResults[T];
}
export interface ErrorFrame {
  type: 'error';
  /** null when the frame was too broken to read an id from. */
  id: string | null;
  error: ErrorBody;
}
export interface EventFrame {
  type: 'event';
  event: ServerEvent;
}
/** A draining node asks its clients to reconnect (to another node) and resync. */
export interface ReconnectFrame {
  type: 'reconnect';
  reason: string;
  retry_after_ms: number;
}

export type ServerFrame = HelloFrame | ResultFrame | ErrorFrame | EventFrame | ReconnectFrame;

/** WebSocket close codes the server uses. */
export const CloseCodes = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  tooBig: 1009,
  internal: 1011,
  /** Application codes (4000–4999). */
  authTimeout: 4001,
  authFailed: 4002,
  sessionRevoked: 4003,
  slowConsumer: 4008,
  tooManyConnections: 4009,
} as const;
