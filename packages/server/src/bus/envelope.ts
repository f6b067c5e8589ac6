import type { ServerEvent } from '@parley/protocol';

/**
 * What travels on a bus subject: either a frame to hand to sockets as-is (`F` + JSON, encoded
 * once for every recipient) or a control message for gateways (`C` + JSON).
 */
export type Control =
  /** Subscribe the user's sockets to a conversation, then give them `frames` (already encoded). */
  | { op: 'join'; conv_id: string; visible_from_seq: number; next_seq?: number; frames: string[] }
  /** Unsubscribe the user's sockets from a conversation, unless they subscribed after `seq` (they came back). */
  | { op: 'leave'; conv_id: string; seq?: number }
  /** Close the sockets of one session (or API token). */
  | { op: 'revoke'; session_id: string }
  /** Close every socket of the user (deactivated, or a bot whose owner was). */
  | { op: 'close_user'; reason: string };

export function encodeEventFrame(event: ServerEvent): string {
  return eventFrameOf(JSON.stringify(event));
}

/** The frame (an EventFrame) for an event already encoded as JSON. */
export const eventFrameOf = (eventJson: string): string => `{"type":"event","event":${eventJson}}`;

/** A JSON object (encoded, not empty) with one more member whose value is already encoded. */
export const withEncoded = (objectJson: string, key: string, valueJson: string): string => `${objectJson.slice(0, -1)},${JSON.stringify(key)}:${valueJson}}`;

export const busFrame = (frameJson: string): string => `F${frameJson}`;

/**
 * A log event: `L<seq>:<message seq or 0>[:<user id>]|<frame>`. The seq lets gateways hand events
 * to sockets in seq order even when commits on several connections or nodes publish out of order;
 * the message seq lets them give members whose history starts later a `hidden` event instead; the
 * user id, on `member.left` only, lets them stop that user's sockets at exactly that seq, whatever
 * order the bus brings the user's own `leave` control in.
 */
export const busLogFrame = (seq: number, messageSeq: number | null, frameJson: string, leftUserId: string | null = null): string =>
  `L${seq}:${messageSeq ?? 0}${leftUserId ? `:${leftUserId}` : ''}|${frameJson}`;
export const busControl = (c: Control): string => `C${JSON.stringify(c)}`;

export type Decoded = { kind: 'frame'; frame: string; seq: number | null; messageSeq: number | null; leftUserId?: string } | { kind: 'control'; control: Control };

export function decodeBus(payload: string): Decoded {
  if (payload.startsWith('C')) return { kind: 'control', control: JSON.parse(payload.slice(1)) as Control };
  if (payload.startsWith('L')) {
    const bar = payload.indexOf('|');
    const [seq, messageSeq, leftUserId] = payload.slice(1, bar).split(':');
    const ms = Number(messageSeq);
    const decoded: Decoded = { kind: 'frame', frame: payload.slice(bar + 1), seq: Number(seq), messageSeq: ms > 0 ? ms : null };
    if (leftUserId) decoded.leftUserId = leftUserId;
    return decoded;
  }
  return { kind: 'frame', frame: payload.slice(1), seq: null, messageSeq: null };
}
