import type { EventFrame, ServerEvent } from '@parley/protocol';

/**
 * What travels on a bus subject: either a frame to hand to sockets as-is (`F` + JSON, encoded
 * once for every recipient) or a control message for gateways (`C` + JSON).
 */
export type Control =
  /** Subscribe the user's sockets to a conversation, then give them `frames` (already encoded). */
  | { op: 'join'; conv_id: string; visible_from_seq: number; frames: string[] }
  /** Unsubscribe the user's sockets from a conversation. */
  | { op: 'leave'; conv_id: string }
  /** Close the sockets of one session. */
  | { op: 'revoke'; session_id: string };

export function encodeEventFrame(event: ServerEvent): string {
  const frame: EventFrame = { type: 'event', event };
  return JSON.stringify(frame);
}

export const busFrame = (frameJson: string): string => `F${frameJson}`;

/**
 * A log event about an older message (edit, reaction, recall): `M<message seq>|<frame>`, so a
 * gateway can give members whose history starts later a `hidden` event instead.
 */
export const busMessageFrame = (messageSeq: number, frameJson: string): string => `M${messageSeq}|${frameJson}`;
export const busControl = (c: Control): string => `C${JSON.stringify(c)}`;

export type Decoded =
  | { kind: 'frame'; frame: string; messageSeq: null }
  | { kind: 'frame'; frame: string; messageSeq: number }
  | { kind: 'control'; control: Control };

export function decodeBus(payload: string): Decoded {
  if (payload.startsWith('C')) return { kind: 'control', control: JSON.parse(payload.slice(1)) as Control };
  if (payload.startsWith('M')) {
    const bar = payload.indexOf('|');
    return { kind: 'frame', frame: payload.slice(bar + 1), messageSeq: Number(payload.slice(1, bar)) };
  }
  return { kind: 'frame', frame: payload.slice(1), messageSeq: null };
}
