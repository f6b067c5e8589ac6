import type { Conversation } from '@parley/protocol';

const activity = (c: Conversation) => c.last_message?.created_at ?? c.created_at;

/** The sidebar's sections in its order: channels by name, groups and DMs by latest activity. */
export function sidebarSections(conversations: Record<string, Conversation>): { channels: Conversation[]; groups: Conversation[]; dms: Conversation[] } {
  const mine = Object.values(conversations).filter((c) => c.membership && c.membership.left_seq === null);
  return {
    channels: mine.filter((c) => c.kind === 'channel').sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')),
    groups: mine.filter((c) => c.kind === 'group').sort((a, b) => activity(b).localeCompare(activity(a))),
    dms: mine.filter((c) => c.kind === 'dm').sort((a, b) => activity(b).localeCompare(activity(a))),
  };
}

/** Whether the sidebar shows it as unread (bold or a count), as ConvItem decides. */
export const showsUnread = (c: Conversation): boolean => c.mention_count > 0 || (c.membership?.muted !== true && c.unread_count > 0);

/**
 * The conversation Alt+↑/↓ (or, `unreadOnly`, Alt+Shift+↑/↓) moves to from `currentId`, in sidebar
 * order, or null at either end. From no conversation, down starts at the top and up at the bottom.
 */
export function neighbour(conversations: Record<string, Conversation>, currentId: string | null, direction: 1 | -1, unreadOnly: boolean): string | null {
  const { channels, groups, dms } = sidebarSections(conversations);
  const order = [...channels, ...groups, ...dms];
  let i = currentId === null ? -1 : order.findIndex((c) => c.id === currentId);
  if (i === -1) i = direction === 1 ? -1 : order.length;
  for (let j = i + direction; j >= 0 && j < order.length; j += direction) {
    const c = order[j]!;
    if (!unreadOnly || showsUnread(c)) return c.id;
  }
  return null;
}
