import type { Conversation, User } from '@parley/protocol';

/** The search filter naming a conversation (`in:#name `, `in:@user `), or null where the query language has none (a group). */
export function searchScope(conv: Conversation | undefined, users: Record<string, User>): string | null {
  if (!conv) return null;
  if (conv.kind === 'channel' && conv.name) return `in:#${conv.name} `;
  const other = conv.dm_user_id ? users[conv.dm_user_id] : undefined;
  return conv.kind === 'dm' && other ? `in:@${other.username} ` : null;
}
