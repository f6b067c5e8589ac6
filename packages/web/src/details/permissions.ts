import type { Conversation, Member, Message, WorkspaceRole } from '@parley/protocol';

/**
 * Which conversation controls to show, as the server's policy decides them
 * (packages/server/src/conversations/policy.ts, `can()`): a control the server would refuse is
 * not shown. The server checks again on every request; a server test holds these rules to
 * `can()` for every kind of conversation and person, so the two cannot drift apart unnoticed.
 */
export type ConvControl = 'rename' | 'topic' | 'archive' | 'history' | 'invite' | 'kick' | 'role' | 'leave';

type Seen = Pick<Conversation, 'kind' | 'visibility' | 'archived' | 'membership'>;

const active = (c: Seen) => c.membership !== null && c.membership.left_seq === null;
const convAdmin = (c: Seen) => active(c) && (c.membership!.role === 'owner' || c.membership!.role === 'admin');
const convOwner = (c: Seen) => active(c) && c.membership!.role === 'owner';
const wsAdmin = (role: WorkspaceRole) => role === 'owner' || role === 'admin';
const publicChannel = (c: Seen) => c.kind === 'channel' && c.visibility === 'public';
/** A workspace admin manages conversations they are in, and public channels. */
const wsManages = (c: Seen, role: WorkspaceRole) => wsAdmin(role) && (active(c) || publicChannel(c));

export function allows(c: Seen, role: WorkspaceRole, control: ConvControl): boolean {
  const notDm = c.kind !== 'dm';
  switch (control) {
    case 'rename':
    case 'kick':
      return notDm && !c.archived && (convAdmin(c) || wsManages(c, role));
    case 'topic':
      return notDm && !c.archived && active(c);
    case 'archive':
      // Unarchiving is the same right: only an owner (or a workspace admin) takes it back.
      return notDm && (convOwner(c) || wsManages(c, role));
    case 'history':
      return c.kind === 'channel' && !c.archived && (convAdmin(c) || wsManages(c, role));
    case 'invite':
      return notDm && active(c) && role !== 'guest' && !c.archived;
    case 'role':
      return notDm && !c.archived && (convOwner(c) || wsManages(c, role));
    case 'leave':
      return notDm && active(c);
  }
}

/** Whether `target` may be removed by me: only the workspace owner removes a conversation owner. */
export function canRemove(c: Seen, role: WorkspaceRole, meId: string, target: Member): boolean {
  if (target.user.id === meId || !allows(c, role, 'kick')) return false;
  return target.role !== 'owner' || role === 'owner';
}

/**
 * Whether I may read a message's earlier versions: its sender, and whoever may recall anyone's
 * message there (the conversation's admins and workspace admins, in a group or channel they are in).
 */
export function canViewEdits(c: Seen | undefined, role: WorkspaceRole, meId: string, m: Pick<Message, 'sender_id' | 'edited_at'>): boolean {
  if (!m.edited_at) return false;
  if (m.sender_id === meId) return true;
  return !!c && c.kind !== 'dm' && active(c) && !c.archived && (convAdmin(c) || wsAdmin(role));
}
