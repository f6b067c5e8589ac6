import type { SendAck } from '@parley/protocol';
import type { Actor } from '../core/context.js';
import type { EncodedJson } from '../core/encoded.js';
import type { MessagesTable } from '../store/schema.js';

export interface SendInput {
  conv_id: string;
  client_msg_id: string;
  body: string;
  reply_to?: string | undefined;
  /** Upload ids (files/), in the order they are shown. */
  attachments?: string[] | undefined;
  /**
   * Tags beyond the body's `#tags`, kept through edits: the server's own senders only (a
   * receiver's `alert`). Clients tag in the body; their send schemas refuse this field.
   */
  tags?: string[] | undefined;
  /**
   * Burn after reading, resolved and checked by MessagesService from the request's `burn_after`
   * and `expires_at` (milliseconds): each recipient's time once revealed, and the cap.
   */
  burn?: { afterMs: number; expiresAt: number } | undefined;
}

/** What one queued send became once its batch committed. */
export type SendOutcome =
  | { kind: 'sent'; ack: SendAck | EncodedJson<SendAck> }
  /** An earlier send with this client_msg_id exists; the caller builds the duplicate ack from it. */
  | { kind: 'duplicate'; row: MessagesTable };

/** A send waiting in a group-commit queue (SQLite or PostgreSQL). */
export interface PendingSend {
  actor: Actor;
  input: SendInput;
  resolve: (o: SendOutcome) => void;
  reject: (e: unknown) => void;
  /** Took its rate-limit token already (a batch replayed, or a send carried over, does not pay twice). */
  charged: boolean;
  /** When it joined the queue (the message trace's `accepted_at`). */
  acceptedAt: number;
}
