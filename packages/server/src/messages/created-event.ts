import type { LogEvent, Message, SendAck } from '@parley/protocol';
import type { UploadsTable } from '../store/schema.js';
import { presentAttachment } from '../files/present.js';
import { iso } from '../core/time.js';
import { eventFrameOf, withEncoded } from '../bus/envelope.js';

export interface StoredSend {
  id: string;
  convId: string;
  seq: number;
  senderId: string;
  clientMsgId: string;
  body: string;
  replyTo: string | null;
  threadRootId: string | null;
  /** Mentioned member ids. */
  mentioned: string[];
  broadcast: boolean;
  at: number;
  /** The thread root after this reply was counted. */
  root: { reply_count: number | string; last_reply_at: number | string | null } | null;
  /** The uploads attached, in order. */
  attachments: UploadsTable[];
  tags: string[];
  burn: { afterMs: number; expiresAt: number } | null;
}

type CreatedEvent = Extract<LogEvent, { type: 'message.created' }>;

/**
 * The `message.created` event and the ack of a send just written, built from what was written
 * instead of read back: the same shape `hydrateEvents` gives when the log is replayed, so live
 * and resynced clients see identical events.
 */
export function createdEventAndAck(s: StoredSend): { event: CreatedEvent; ack: SendAck } {
  const createdAt = iso(s.at);
  const message: Message = {
    id: s.id,
    conv_id: s.convId,
    seq: s.seq,
    sender_id: s.senderId,
    client_msg_id: s.clientMsgId,
    // A burn message's content is never in its shared shape: each reader reveals it (messages/burn.ts).
    body: s.burn ? '' : s.body,
    created_at: createdAt,
    edited_at: null,
    recalled: false,
    recalled_at: null,
    reply_to: s.replyTo,
    thread_root_id: s.threadRootId,
    reply_count: 0,
    last_reply_at: null,
    mentions: [...s.mentioned].sort(),
    mentions_channel: s.broadcast,
    reactions: [],
    attachments: s.burn ? [] : s.attachments.map(presentAttachment),
    tags: s.burn ? [] : [...s.tags].sort(),
    burn: s.burn ? { after_s: Math.round(s.burn.afterMs / 1000), expires_at: iso(s.burn.expiresAt), burned_at: null } : null,
    pinned_at: null,
    pinned_by: null,
  };
  const event: CreatedEvent = {
    conv_id: s.convId,
    seq: s.seq,
    ts: createdAt,
    actor_id: s.senderId,
    type: 'message.created',
    message,
    thread_root:
      s.root && s.threadRootId ? { id: s.threadRootId, reply_count: Number(s.root.reply_count), last_reply_at: s.root.last_reply_at === null ? null : iso(Number(s.root.last_reply_at)) } : null,
  };
  const ack: SendAck = { id: s.id, conv_id: s.convId, seq: s.seq, client_msg_id: s.clientMsgId, created_at: createdAt, duplicate: false, message };
  return { event, ack };
}

/**
 * The same, encoded: the ack's JSON and the event's frame. The message is most of both, so it
 * is encoded once and placed in each.
 */
export function encodedCreated(s: StoredSend): { ack: string; frame: string } {
  const { event, ack } = createdEventAndAck(s);
  const { message, ...ackRest } = ack;
  const { message: _same, ...eventRest } = event;
  const messageJson = JSON.stringify(message);
  return { ack: withEncoded(JSON.stringify(ackRest), 'message', messageJson), frame: eventFrameOf(withEncoded(JSON.stringify(eventRest), 'message', messageJson)) };
}
