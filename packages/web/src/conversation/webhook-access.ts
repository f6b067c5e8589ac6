import type { Conversation, User } from '@parley/protocol';

/**
 * Who may manage a conversation's webhooks, as the server decides it (policy
 * `conversation.manage_webhooks`): its owners and admins, workspace admins who are members or
 * in a public channel; never guests, never in a DM or an archived conversation.
 */
export function canManageWebhooks(conv: Conversation, me: User): boolean {
  if (conv.kind === 'dm' || conv.archived || me.role === 'guest') return false;
  const active = conv.membership !== null && conv.membership.left_seq === null;
  if (active && (conv.membership!.role === 'owner' || conv.membership!.role === 'admin')) return true;
  const wsAdmin = me.role === 'owner' || me.role === 'admin';
  return wsAdmin && (active || (conv.kind === 'channel' && conv.visibility === 'public'));
}
