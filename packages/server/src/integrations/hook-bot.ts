import type { Actor, Deps, Role } from '../core/context.js';
import { lesserRole } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { isId } from '../core/ids.js';
import { accessConversation } from '../conversations/access.js';
import { can } from '../conversations/policy.js';
import type { Db } from '../store/db.js';
import { insertBotUser } from '../users/bots.js';

/**
 * What incoming and outgoing webhooks share: each posts as its own bot account, and acts with
 * no more rights than the person who created it has now.
 */

/** The hook's bot: unique and recognisable username, the hook's name as what people see. */
export async function insertHookBot(trx: Db, bot: { id: string; hookId: string; prefix: 'hook' | 'out' | 'cmd'; name: string; iconUrl: string | null; ownerId: string; at: number }): Promise<void> {
  await insertBotUser(trx, { id: bot.id, username: `${bot.prefix}-${bot.hookId.slice(-10).toLowerCase()}`, displayName: bot.name, avatarUrl: bot.iconUrl, ownerId: bot.ownerId, at: bot.at });
}

/** Whether `actor` may manage the conversation's webhooks; a storage failure stays what it is. */
export async function mayManageHooks(db: Db, actor: Actor, convId: string): Promise<boolean> {
  const a = await accessConversation(db, actor, convId).catch((e: unknown) => {
    if (e instanceof AppError && e.code === 'not_found') return null;
    throw e;
  });
  return a !== null && can(actor, 'conversation.manage_webhooks', a);
}

/**
 * A live hook of a conversation the actor may manage; otherwise (unknown, revoked, or not theirs
 * to manage) "no such webhook", the same answer for all, so nothing is learnt about others' hooks.
 */
export async function managedHook<T extends { conv_id: string; revoked_at: number | null }>(db: Db, actor: Actor, hookId: string, load: (id: string) => Promise<T | undefined>): Promise<T> {
  const hook = isId(hookId) ? await load(hookId) : undefined;
  if (!hook || hook.revoked_at !== null || !(await mayManageHooks(db, actor, hook.conv_id))) throw new AppError('not_found', 'No such webhook.');
  return hook;
}

/**
 * The actor a hook's bot posts as: the lesser of its own role and its creator's, or null when
 * either account is deactivated (a deactivated creator's hooks stop).
 */
export async function hookActor(deps: Deps, hook: { id: string; bot_user_id: string; created_by: string }): Promise<Actor | null> {
  const people = await deps.db.selectFrom('users').select(['id', 'role', 'deactivated_at']).where('id', 'in', [hook.bot_user_id, hook.created_by]).execute();
  const bot = people.find((p) => p.id === hook.bot_user_id);
  const creator = people.find((p) => p.id === hook.created_by);
  if (!bot || bot.deactivated_at !== null || !creator || creator.deactivated_at !== null) return null;
  return { userId: hook.bot_user_id, role: lesserRole(bot.role as Role, creator.role as Role), sessionId: hook.id, via: 'token' };
}

/** The creator as an actor, to check what they may still do; null when deactivated. */
export async function creatorActor(deps: Deps, userId: string): Promise<Actor | null> {
  const u = await deps.db.selectFrom('users').select(['id', 'role', 'deactivated_at']).where('id', '=', userId).executeTakeFirst();
  if (!u || u.deactivated_at !== null) return null;
  return { userId: u.id, role: u.role as Role, sessionId: 'hook', via: 'token' };
}
