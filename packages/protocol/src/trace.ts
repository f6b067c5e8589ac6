import { Type, type Static } from '@sinclair/typebox';
import { Id, Nullable, Timestamp } from './entities.js';

/**
 * Where one recipient device stands with a message:
 * - `read`: this device marked it read;
 * - `delivered`: this device acknowledged it (its delivery cursor passed the message's seq);
 * - `sent`: the device holds a socket now but has not acknowledged it yet;
 * - `pending`: the device is offline; it gets the message when it reconnects and resyncs;
 * - `signed_out`: the device's session was revoked (or expired) before it acknowledged it;
 * - `left`: the member left the conversation before this device acknowledged it.
 */
export const TraceDeviceStatus = Type.Union([Type.Literal('read'), Type.Literal('delivered'), Type.Literal('sent'), Type.Literal('pending'), Type.Literal('signed_out'), Type.Literal('left')]);
export type TraceDeviceStatus = Static<typeof TraceDeviceStatus>;

/** One device (a signed-in session, or an API token's socket) of a recipient. */
export const TraceDevice = Type.Object({
  session_id: Type.String(),
  /** The session's device name; null for an API token. */
  device_name: Nullable(Type.String()),
  status: TraceDeviceStatus,
  delivered_at: Nullable(Timestamp),
  /** The node the device's acknowledgement arrived at. */
  delivered_node: Nullable(Type.String()),
  read_at: Nullable(Timestamp),
  /** Holds a socket now, on `node`. */
  connected: Type.Boolean(),
  node: Nullable(Type.String({ description: 'the node the device is (or was last) connected to' })),
  last_seen_at: Nullable(Timestamp),
  /** Why it is not delivered yet, in words (`device offline since …`); null once delivered. */
  reason: Nullable(Type.String()),
});
export type TraceDevice = Static<typeof TraceDevice>;

export const TraceRecipient = Type.Object({
  user_id: Id,
  username: Type.String(),
  /** The member's read cursor passed the message; `read_at` is when, if the trace saw it move. */
  read: Type.Boolean(),
  read_at: Nullable(Timestamp),
  /** When the member left the conversation after the message, else null. */
  left_at: Nullable(Timestamp),
  devices: Type.Array(TraceDevice),
});
export type TraceRecipient = Static<typeof TraceRecipient>;

/**
 * `GET /admin/messages/{id}/trace`: where a message went, stage by stage. It never carries the
 * message's content (nor does anything it is built from).
 */
export const MessageTrace = Type.Object({
  message_id: Id,
  conv_id: Id,
  seq: Type.Integer({ minimum: 1 }),
  sender_id: Id,
  sender_session_id: Nullable(Type.String()),
  /** `present`, `recalled`, `burned` (content gone, trace kept) or `deleted` (retention removed the message). */
  message_state: Type.Union([Type.Literal('present'), Type.Literal('recalled'), Type.Literal('burned'), Type.Literal('deleted')]),
  /** When the server took the send into its group-commit queue. */
  accepted_at: Timestamp,
  /** The batch's time (the message's `created_at`). */
  written_at: Timestamp,
  batch_id: Type.String(),
  batch_size: Type.Integer({ minimum: 1 }),
  /** The node that accepted, committed and published it. */
  node: Type.String(),
  /** Null until the node has recorded its batch (within about a second), or if it stopped first. */
  committed_at: Nullable(Timestamp),
  published_at: Nullable(Timestamp),
  recipients: Type.Array(TraceRecipient),
  /** Recipients in all; a large channel's list stops at the first 100. */
  recipients_total: Type.Integer({ minimum: 0 }),
  generated_at: Timestamp,
});
export type MessageTrace = Static<typeof MessageTrace>;
