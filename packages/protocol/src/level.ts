/**
 * The protocol level: an integer bumped on every change to frames, events or REST bodies, sent in
 * the socket's hello frame so clients can feature-detect. docs/protocol.md lists every level.
 */
export const PROTOCOL_LEVEL = 1;
