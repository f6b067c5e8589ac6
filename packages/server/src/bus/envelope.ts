import type { EventFrame, ServerEvent } from '@parley/protocol';

/**
 * What travels on a bus subject: either a frame to hand to sockets as-is (`F` + JSON, encoded
 * once for every recipient) or a control message for gateways (`C` + JSON).
 */
export type Control =
  /** Subscribe the user's sockets to a conversation, then give them `frames` (already encoded). */
  | { op: 'join'; conv_id: string; frames: string[] }
  /** Unsubscribe the user's sockets from a conversation. */
  | { op: 'leave'; conv_id: string }
  /** Close the sockets of one session. */
  | { op: 'revoke'; session_id: string };

export function encodeEventFrame(event: ServerEvent): string {
  const frame: EventFrame = { type: 'event', event };
  return JSON.stringify(frame);
}

export const busFrame = (frameJson: string): string => `F${frameJson}`;
export const busControl = (c: Control): string => `C${JSON.stringify(c)}`;

export type Decoded = { kind: 'frame'; frame: string } | { kind: 'control'; control: Control };

export function decodeBus(payload: string): Decoded {
  if (payload.startsWith('C')) return { kind: 'control', control: JSON.parse(payload.slice(1)) as Control };
  return { kind: 'frame', frame: payload.slice(1) };
}
