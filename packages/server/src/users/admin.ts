import type { AdminUpdateUserBody, User } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import type { AuditService } from '../audit/service.js';
import type { UsersService } from './service.js';
import { presentUser } from './presenter.js';

/**
 * Workspace administration. Admins manage members and guests; only owners grant or remove the
 * owner and admin roles; the last owner cannot be demoted or deactivated.
 */
export class AdminService {
  constructor(
    private readonly deps: Deps,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async updateUser(actor: Actor, userId: string, body: AdminUpdateUserBody): Promise<User> {
    const { db, now, publisher } = this.deps;
    if (actor.role !== 'owner' && actor.role !== 'admin') throw new AppError('forbidden', 'Only workspace owners and admins manage users.');
    const target = await db.selectFrom('users').select(['id', 'role', 'deactivated_at']).where('id', '=', userId).executeTakeFirst();
    if (!target) throw new AppError('not_found', 'No such user.');
    const privileged = (r: string) => r === 'owner' || r === 'admin';
    if (actor.role !== 'owner' && (privileged(target.role) || (body.role !== undefined && privileged(body.role)))) {
      throw new AppError('forbidden', 'Only a workspace owner can change owners and admins.');
    }
    const losesOwner = target.role === 'owner' && ((body.role !== undefined && body.role !== 'owner') || body.deactivated === true);
    if (losesOwner) {
      const owners = await db.selectFrom('users').select('id').where('role', '=', 'owner').where('deactivated_at', 'is', null).execute();
      if (owners.length <= 1) throw new AppError('conflict', 'The workspace needs at least one owner.');
    }
    const patch: { role?: User['role']; deactivated_at?: number | null } = {};
    if (body.role !== undefined && body.role !== target.role) patch.role = body.role;
    if (body.deactivated !== undefined && body.deactivated !== (target.deactivated_at !== null)) patch.deactivated_at = body.deactivated ? now() : null;
    if (Object.keys(patch).length > 0) {
      await db.updateTable('users').set(patch).where('id', '=', userId).execute();
      await this.audit.record({ actor_id: actor.userId, action: 'user.updated_by_admin', target: userId, data: { ...body }, ip: actor.ip ?? null });
      if (patch.deactivated_at) {
        const sessions = await db.selectFrom('sessions').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
        await db.updateTable('sessions').set({ revoked_at: now(), revoked_reason: 'user_deactivated' }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
        for (const s of sessions) {
          await this.audit.record({ actor_id: actor.userId, action: 'session.revoked', target: s.id, data: { reason: 'user_deactivated', user_id: userId }, ip: actor.ip ?? null });
          publisher.revokeSession(userId, s.id);
        }
      }
    }
    const row = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    const user: User = presentUser(row);
    // The workspace role is part of the user object every member list holds.
    if (patch.role !== undefined) await this.users.announce(user);
    return user;
  }

  async listUsers(actor: Actor, query: string, limit: number): Promise<User[]> {
    if (actor.role !== 'owner' && actor.role !== 'admin') throw new AppError('forbidden', 'Only workspace owners and admins manage users.');
    return this.users.searchUsers(query, limit, true);
  }
}
