import type { Conversation, User } from '@parley/protocol';
import { ParleyError } from '@parley/sdk';

export function userLabel(u: User | undefined, fallback = '…'): string {
  if (!u) return fallback;
  return u.display_name || u.username;
}

/** A conversation's human name: the channel or group name, the other person for a DM. */
export function conversationName(c: Pick<Conversation, 'kind' | 'name' | 'dm_user_id'>, users: Record<string, User>, meId: string, memberIds?: readonly string[]): string {
  if (c.kind === 'dm') {
    const other = c.dm_user_id ? users[c.dm_user_id] : undefined;
    return userLabel(other, c.dm_user_id === meId ? userLabel(users[meId]) : '…');
  }
  if (c.name) return c.name;
  if (memberIds && memberIds.length) {
    return memberIds
      .filter((id) => id !== meId)
      .map((id) => userLabel(users[id], '…'))
      .join(', ');
  }
  return '…';
}

/** A 26-character ULID-like id that works outside secure contexts (crypto.randomUUID needs one). */
export function newClientMsgId(): string {
  if (typeof crypto.randomUUID === 'function' && globalThis.isSecureContext) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What a failure is kept as (a failed send, a thread that did not load): the server's error code, or the message. */
export function errorText(e: unknown): string {
  if (e instanceof ParleyError) return e.code;
  return e instanceof Error ? e.message : String(e);
}

/** The record without one key: a copy (the store never changes its state in place), or the record itself when it lacks the key. */
export function omit<T>(rec: Record<string, T>, key: string): Record<string, T> {
  if (!(key in rec)) return rec;
  const { [key]: _gone, ...rest } = rec;
  return rest;
}
