import type { Actor } from '../core/context.js';
import { AppError } from '../core/errors.js';
import type { ConversationsTable, MembersTable } from '../store/schema.js';

/** A conversation as the acting user relates to it. `member` is null when they never joined. */
export interface ConvAccess {
  conv: ConversationsTable;
  member: MembersTable | null;
}

export type ConvAction =
  | 'conversation.view'
  | 'conversation.read'
  | 'conversation.join'
  | 'conversation.leave'
  | 'conversation.invite'
  | 'conversation.kick'
  | 'conversation.rename'
  | 'conversation.set_topic'
  | 'conversation.archive'
  | 'conversation.set_role'
  | 'conversation.set_history'
  | 'conversation.manage_webhooks'
  | 'message.send'
  | 'message.react'
  | 'message.tag'
  | 'message.pin'
  | 'message.edit_own'
  | 'message.recall_own'
  | 'message.recall_any'
  | 'typing'
  | 'read.mark';

const isActive = (a: ConvAccess) => a.member !== null && a.member.left_seq === null;
const isWorkspaceAdmin = (actor: Actor) => actor.role === 'owner' || actor.role === 'admin';
const isConvAdmin = (a: ConvAccess) => isActive(a) && (a.member!.role === 'owner' || a.member!.role === 'admin');
const isPublicChannel = (a: ConvAccess) => a.conv.kind === 'channel' && a.conv.visibility === 'public';
const archived = (a: ConvAccess) => a.conv.archived_at !== null;

/** Whether the actor may know the conversation exists at all. */
export function canSee(actor: Actor, a: ConvAccess): boolean {
  return a.member !== null || (isPublicChannel(a) && actor.role !== 'guest');
}

/**
 * The single authorisation function, used by REST and the socket alike.
 * Workspace admins manage public channels and conversations they belong to; they never gain
 * access to private conversations they are not in.
 */
export function can(actor: Actor, action: ConvAction, a: ConvAccess): boolean {
  if (!canSee(actor, a)) return false;
  const notDm = a.conv.kind !== 'dm';
  switch (action) {
    case 'conversation.view':
      return true;
    case 'conversation.read':
      return a.member !== null;
    case 'conversation.join':
      return isPublicChannel(a) && actor.role !== 'guest' && !isActive(a) && !archived(a);
    case 'conversation.leave':
      return notDm && isActive(a);
    case 'conversation.invite':
      return notDm && isActive(a) && actor.role !== 'guest' && !archived(a);
    case 'conversation.kick':
    case 'conversation.rename':
      return notDm && !archived(a) && (isConvAdmin(a) || (isWorkspaceAdmin(actor) && (isActive(a) || isPublicChannel(a))));
    case 'conversation.set_topic':
      return notDm && !archived(a) && isActive(a);
    case 'conversation.set_history':
      // Only channels have the option (groups always show full history); who may rename a channel
      // decides what members added later will read.
      return a.conv.kind === 'channel' && !archived(a) && (isConvAdmin(a) || (isWorkspaceAdmin(actor) && (isActive(a) || isPublicChannel(a))));
    case 'conversation.archive':
      return notDm && ((isActive(a) && a.member!.role === 'owner') || (isWorkspaceAdmin(actor) && (isActive(a) || isPublicChannel(a))));
    case 'conversation.set_role':
      // Roles are frozen with the rest of an archived conversation; unarchive first.
      return notDm && !archived(a) && ((isActive(a) && a.member!.role === 'owner') || (isWorkspaceAdmin(actor) && (isActive(a) || isPublicChannel(a))));
    case 'conversation.manage_webhooks':
      // A hook posts as a member of its own: who may rename the conversation may plug it in.
      return notDm && !archived(a) && actor.role !== 'guest' && (isConvAdmin(a) || (isWorkspaceAdmin(actor) && (isActive(a) || isPublicChannel(a))));
    // Pins too: nobody pins or unpins in an archived conversation (unarchive first), nor after leaving.
    case 'message.send':
    case 'message.react':
    case 'message.tag':
    case 'message.pin':
    case 'message.edit_own':
    case 'message.recall_own':
    case 'typing':
      return isActive(a) && !archived(a);
    case 'message.recall_any':
      // Moderation belongs to groups and channels; in a DM each side recalls only their own messages.
      return notDm && isActive(a) && !archived(a) && (isConvAdmin(a) || isWorkspaceAdmin(actor));
    case 'read.mark':
      return a.member !== null;
  }
}

/** Throws the error a client should see: not_found when it may not know, not_member or forbidden otherwise. */
export function assertCan(actor: Actor, action: ConvAction, a: ConvAccess): void {
  if (can(actor, action, a)) return;
  if (!canSee(actor, a)) throw new AppError('not_found', 'No such conversation.');
  // A member who left sees the conversation as it was when they left: being told it is archived
  // would show them a change made since. (Whether a public channel is archived anyone can see.)
  const left = a.member !== null && a.member.left_seq !== null;
  if (left && !(isPublicChannel(a) && actor.role !== 'guest')) throw new AppError('not_member');
  if (archived(a) && action !== 'conversation.view' && action !== 'conversation.read' && action !== 'conversation.archive') {
    throw new AppError('conversation_archived');
  }
  if (a.member === null || a.member.left_seq !== null) throw new AppError('not_member');
  throw new AppError('forbidden');
}

export { isActive };
