import type { AdminUpdateUserBody, User } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError, isUniqueViolation } from '../core/errors.js';
import type { AuditService } from '../audit/service.js';
import type { Db } from '../store/db.js';
import type { UsersService } from './service.js';
import { presentUser } from './presenter.js';

const privileged = (r: string) => r === 'owner' || r === 'admin';

/**
 * Workspace administration. Admins manage members and guests; only owners grant or remove the
 * owner and admin roles; the last active owner cannot be demoted or deactivated.
 */
export class AdminService {
  constructor(
    private readonly deps: Deps,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async updateUser(actor: Actor, userId: string, body: AdminUpdateUserBody): Promise<User> {
    const { db, now, publisher } = this.deps;
    if (!privileged(actor.role)) throw new AppError('forbidden', 'Only workspace owners and admins manage users.');
    // One transaction for the checks and every write: two owners demoting each other at the same
    // moment must not both see "another owner remains".
    const outcome = await db.transaction().execute(async (trx) => {
      // The owners' rows are locked first (PostgreSQL), in one order, by every such change; a
      // waiting transaction then reads them as the first one left them. SQLite runs one write
      // transaction at a time on its single connection.
      const owners = await this.lockOwners(trx);
      const me = await trx.selectFrom('users').select(['role', 'deactivated_at']).where('id', '=', actor.userId).executeTakeFirst();
      if (!me || me.deactivated_at !== null || !privileged(me.role)) throw new AppError('forbidden', 'Only workspace owners and admins manage users.');
      const target = await trx.selectFrom('users').select(['id', 'role', 'deactivated_at', 'bot_owner_id', 'email']).where('id', '=', userId).executeTakeFirst();
      if (!target) throw new AppError('not_found', 'No such user.');
      if (me.role !== 'owner' && (privileged(target.role) || (body.role !== undefined && privileged(body.role)))) {
        throw new AppError('forbidden', 'Only a workspace owner can change owners and admins.');
      }
      const activeOwner = target.role === 'owner' && target.deactivated_at === null;
      const losesOwner = activeOwner && ((body.role !== undefined && body.role !== 'owner') || body.deactivated === true);
      if (losesOwner && owners.filter((o) => o !== userId).length === 0) throw new AppError('conflict', 'The workspace needs at least one owner.');
      const patch: { role?: User['role']; deactivated_at?: number | null; email?: string | null } = {};
      if (body.role !== undefined && body.role !== target.role) patch.role = body.role;
      if (body.email !== undefined) patch.email = body.email === null ? null : body.email.toLowerCase();
      if (body.deactivated !== undefined && body.deactivated !== (target.deactivated_at !== null)) patch.deactivated_at = body.deactivated ? now() : null;
      if (Object.keys(patch).length === 0) return { patch, bots: [] as string[] };
      try {
        await trx.updateTable('users').set(patch).where('id', '=', userId).execute();
      } catch (err) {
        // Single sign-on links by this address, so two accounts may not share one.
        if (isUniqueViolation(err)) throw new AppError('conflict', 'Another account has this email address.');
        throw err;
      }
      // What changed, each field from → to: the request alone would not say what it replaced, nor which fields were already so.
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (patch.role !== undefined) changes.role = { from: target.role, to: patch.role };
      if (patch.deactivated_at !== undefined) changes.deactivated = { from: target.deactivated_at !== null, to: patch.deactivated_at !== null };
      if (patch.email !== undefined && patch.email !== target.email) changes.email = { from: target.email, to: patch.email };
      if (Object.keys(changes).length > 0) await this.audit.record({ actor_id: actor.userId, action: 'user.updated_by_admin', target: userId, data: changes, ip: actor.ip ?? null }, trx);
      if (!patch.deactivated_at) return { patch, bots: [] as string[] };
      const sessions = await trx.selectFrom('sessions').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
      await trx.updateTable('sessions').set({ revoked_at: now(), revoked_reason: 'user_deactivated' }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
      for (const s of sessions) {
        await this.audit.record({ actor_id: actor.userId, action: 'session.revoked', target: s.id, data: { reason: 'user_deactivated', user_id: userId }, ip: actor.ip ?? null }, trx);
      }
      const bots = await trx.selectFrom('users').select('id').where('bot_owner_id', '=', userId).execute();
      return { patch, bots: bots.map((b) => b.id) };
    });
    if (outcome.patch.deactivated_at) {
      // API tokens are refused from now on (auth reads the account). Every socket of the user,
      // whatever opened it, and those of their bots close rather than go on hearing live events.
      publisher.closeUser(userId, 'account deactivated');
      for (const bot of outcome.bots) publisher.closeUser(bot, "the bot's owner was deactivated");
    }
    const row = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    const user: User = presentUser(row);
    // The workspace role is part of the user object every member list holds.
    if (outcome.patch.role !== undefined) await this.users.announce(user);
    return user;
  }

  /** The ids of the active owners, row-locked until the transaction ends on PostgreSQL. */
  private async lockOwners(trx: Db): Promise<string[]> {
    const q = trx.selectFrom('users').select('id').where('role', '=', 'owner').where('deactivated_at', 'is', null).orderBy('id');
    const rows = await (this.deps.pg ? q.forUpdate() : q).execute();
    return rows.map((r) => r.id);
  }

  async listUsers(actor: Actor, query: string, limit: number): Promise<User[]> {
    if (!privileged(actor.role)) throw new AppError('forbidden', 'Only workspace owners and admins manage users.');
    return this.users.searchUsers(query, limit, true);
  }
}
