import type { AdminChannel, AdminChannelList, AdminIntegration, AdminIntegrationType, ClusterStats, Session } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { iso, isoOrNull } from '../core/time.js';
import type { AuditService } from '../audit/service.js';
import { can } from '../conversations/policy.js';
import { containsIgnoringCase } from '../store/like.js';
import { STALE_AFTER_MS } from './heartbeat.js';
import { listIntegrations } from './integrations.js';

const privileged = (r: string) => r === 'owner' || r === 'admin';

/**
 * What the admin console reads and does beyond the user edits of users/admin.ts: another user's
 * device sessions, every channel (names and head counts, never messages) and the cluster's live
 * figures. Owners and admins only; an admin acts on members and guests, an owner on everyone,
 * as with roles.
 */
export class AdminConsoleService {
  constructor(
    private readonly deps: Deps,
    private readonly audit: AuditService,
  ) {}

  /** Writes this node's heartbeat now (app.ts): the node answering shows its figures as they are, not up to 10 s old. */
  ownBeat: (() => Promise<void>) | null = null;

  private refuseNonAdmin(actor: Actor): void {
    if (!privileged(actor.role)) throw new AppError('forbidden', 'Only workspace owners and admins use the admin console.');
  }

  /** The target exists, and an admin who is not an owner may not reach an owner's or admin's sessions (their own aside). */
  private async target(actor: Actor, userId: string): Promise<void> {
    this.refuseNonAdmin(actor);
    const row = await this.deps.db.selectFrom('users').select(['id', 'role']).where('id', '=', userId).executeTakeFirst();
    if (!row) throw new AppError('not_found', 'No such user.');
    if (actor.role !== 'owner' && privileged(row.role) && row.id !== actor.userId) {
      throw new AppError('forbidden', 'Only a workspace owner can manage the sessions of owners and admins.');
    }
  }

  /** Which of these users are deactivated (the admin user list marks them). */
  async deactivatedAmong(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.deps.db.selectFrom('users').select('id').where('id', 'in', ids).where('deactivated_at', 'is not', null).execute();
    return rows.map((r) => r.id);
  }

  /** The email addresses of these users that have one (single sign-on links accounts by them; only admins see them). */
  async emailsAmong(ids: string[]): Promise<{ id: string; email: string }[]> {
    if (ids.length === 0) return [];
    const rows = await this.deps.db.selectFrom('users').select(['id', 'email']).where('id', 'in', ids).where('email', 'is not', null).execute();
    return rows.map((r) => ({ id: r.id, email: r.email! }));
  }

  async listSessions(actor: Actor, userId: string): Promise<Session[]> {
    await this.target(actor, userId);
    const { db, now } = this.deps;
    const rows = await db.selectFrom('sessions').selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null).where('expires_at', '>', now()).orderBy('last_used_at', 'desc').execute();
    // The list shows where someone signs in from: who looked is on record.
    await this.audit.record({ actor_id: actor.userId, action: 'user.sessions_viewed', target: userId, data: { sessions: rows.length }, ip: actor.ip ?? null });
    return rows.map((s) => ({
      id: s.id,
      device_name: s.device_name,
      user_agent: s.user_agent,
      ip: s.ip,
      created_at: iso(Number(s.created_at)),
      last_used_at: iso(Number(s.last_used_at)),
      current: s.id === actor.sessionId,
    }));
  }

  /** Signs the user out everywhere: every live device session revoked, each device's sockets closed on every node. */
  async revokeSessions(actor: Actor, userId: string): Promise<number> {
    await this.target(actor, userId);
    const { db, now, publisher } = this.deps;
    const revoked = await db.transaction().execute(async (trx) => {
      const sessions = await trx.selectFrom('sessions').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
      if (sessions.length === 0) return [];
      await trx.updateTable('sessions').set({ revoked_at: now(), revoked_reason: 'revoked_by_admin' }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
      for (const s of sessions) {
        await this.audit.record({ actor_id: actor.userId, action: 'session.revoked', target: s.id, data: { reason: 'revoked_by_admin', user_id: userId }, ip: actor.ip ?? null }, trx);
      }
      return sessions.map((s) => s.id);
    });
    await this.audit.record({ actor_id: actor.userId, action: 'user.sessions_revoked', target: userId, data: { sessions: revoked.length }, ip: actor.ip ?? null });
    // Through the bus: the node holding each socket closes it (the gateway's `revoke` control).
    for (const id of revoked) publisher.revokeSession(userId, id);
    return revoked.length;
  }

  /** Every channel, public or private, by name; the asker's own memberships decide `can_archive`. */
  async listChannels(actor: Actor, query: string, limit: number, offset: number): Promise<AdminChannelList> {
    this.refuseNonAdmin(actor);
    const { db } = this.deps;
    let q = db
      .selectFrom('conversations as c')
      .leftJoin('events as e', (j) => j.onRef('e.conv_id', '=', 'c.id').onRef('e.seq', '=', 'c.last_seq'))
      .selectAll('c')
      .select('e.created_at as last_at')
      .where('c.kind', '=', 'channel');
    const term = query.trim().replace(/^#/, '');
    if (term) q = q.where((eb) => containsIgnoringCase(eb.ref('c.name'), term));
    // One more than asked: whether a next page exists without counting them all.
    const rows = await q
      .orderBy('c.name')
      .orderBy('c.id')
      .limit(limit + 1)
      .offset(offset)
      .execute();
    const page = rows.slice(0, limit);
    const ids = page.map((r) => r.id);
    const members =
      ids.length === 0
        ? []
        : await db
            .selectFrom('members')
            .innerJoin('users', 'users.id', 'members.user_id')
            .selectAll('members')
            .select('users.username')
            .where('members.conv_id', 'in', ids)
            .where((eb) => eb.or([eb('members.role', '=', 'owner'), eb('members.user_id', '=', actor.userId)]))
            .execute();
    const channels: AdminChannel[] = page.map((c) => {
      const { last_at, ...conv } = c;
      const mine = members.find((m) => m.conv_id === c.id && m.user_id === actor.userId);
      // The same rule PATCH /conversations/{id} applies: private channels the admin is not in stay out of reach.
      const member = mine ? (({ username: _u, ...row }) => row)(mine) : null;
      return {
        id: c.id,
        name: c.name ?? '',
        visibility: c.visibility === 'private' ? 'private' : 'public',
        member_count: Number(c.member_count),
        owners: members.filter((m) => m.conv_id === c.id && m.role === 'owner' && m.left_seq === null).map((m) => ({ id: m.user_id, username: m.username })),
        archived: c.archived_at !== null,
        last_activity_at: isoOrNull(last_at === null ? null : Number(last_at)),
        can_archive: can(actor, 'conversation.archive', { conv, member }),
      };
    });
    return { channels, next_offset: rows.length > limit ? offset + limit : null };
  }

  /** Every live webhook, slash command and bot (admin/integrations.ts). */
  async integrations(actor: Actor, type?: AdminIntegrationType): Promise<AdminIntegration[]> {
    this.refuseNonAdmin(actor);
    return listIntegrations(this.deps, actor, type);
  }

  /** The nodes' last heartbeats, each healthy or stale, and totals over the healthy ones. */
  async stats(actor: Actor): Promise<ClusterStats> {
    this.refuseNonAdmin(actor);
    await this.ownBeat?.().catch((err: unknown) => this.deps.log.warn({ err }, 'admin stats: could not refresh this node'));
    const t = this.deps.now();
    const rows = await this.deps.db.selectFrom('nodes').selectAll().orderBy('name').execute();
    const nodes = rows.map((r) => ({
      name: r.name,
      started_at: iso(Number(r.started_at)),
      last_heartbeat_at: iso(Number(r.heartbeat_at)),
      healthy: t - Number(r.heartbeat_at) <= STALE_AFTER_MS,
      sockets: Number(r.sockets),
      authenticated_sockets: Number(r.authenticated_sockets),
      users: Number(r.users),
      messages_last_minute: Number(r.messages_last_minute),
    }));
    const healthy = nodes.filter((n) => n.healthy);
    const sum = (f: (n: (typeof nodes)[number]) => number) => healthy.reduce((a, n) => a + f(n), 0);
    return {
      nodes,
      totals: { nodes: nodes.length, healthy_nodes: healthy.length, sockets: sum((n) => n.sockets), users: sum((n) => n.users), messages_last_minute: sum((n) => n.messages_last_minute) },
      at: iso(t),
    };
  }
}
