import crypto from 'node:crypto';
import type { Invite, InviteSummary } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { iso } from '../core/time.js';
import type { AuditService } from '../audit/service.js';
import type { Db } from '../store/db.js';

export const hashInvite = (code: string): string => crypto.createHash('sha256').update(code).digest('base64url');

/** How many invites the list shows at most, newest first. */
const LIST_LIMIT = 200;

/**
 * Invite codes and links for invite-only workspaces. Only a code's hash is stored, like a
 * password: the code is shown once when it is made, and the list tells links apart by their
 * last characters. An invite admits up to `max_uses` people before it expires; redeeming one is
 * a single conditional update, so two sign-ups racing for the last use cannot both get it.
 */
export class InviteCodes {
  constructor(
    private readonly deps: Deps,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, opts: { expires_in_hours?: number | undefined; max_uses?: number | undefined } = {}): Promise<Invite> {
    requireAdmin(actor);
    const code = crypto.randomBytes(18).toString('base64url');
    const t = this.deps.now();
    const expires = t + (opts.expires_in_hours ?? 168) * 3_600_000;
    const maxUses = opts.max_uses ?? 1;
    const id = newId();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('invites')
        .values({
          id,
          code_hash: hashInvite(code),
          hint: code.slice(-4),
          created_by: actor.userId,
          created_at: t,
          expires_at: expires,
          max_uses: maxUses,
          uses: 0,
          revoked_at: null,
          used_by: null,
          used_at: null,
        })
        .execute();
      await this.audit.record({ actor_id: actor.userId, action: 'invite.created', target: id, data: { expires_at: expires, max_uses: maxUses }, ip: actor.ip ?? null }, trx);
    });
    return { code, expires_at: iso(expires), id, max_uses: maxUses };
  }

  /** Invites still open, and the ones somebody signed up with (and by whom); newest first. */
  async list(actor: Actor): Promise<InviteSummary[]> {
    requireAdmin(actor);
    const { db, now } = this.deps;
    const t = now();
    const rows = await db
      .selectFrom('invites')
      .leftJoin('users', 'users.id', 'invites.created_by')
      .select(['invites.id', 'invites.hint', 'invites.created_by', 'users.username', 'invites.created_at', 'invites.expires_at', 'invites.revoked_at', 'invites.max_uses', 'invites.uses'])
      .where((eb) => eb.or([eb('invites.uses', '>', 0), eb.and([eb('invites.revoked_at', 'is', null), eb('invites.expires_at', '>', t)])]))
      .orderBy('invites.created_at', 'desc')
      .limit(LIST_LIMIT)
      .execute();
    const ids = rows.map((r) => r.id).filter((id): id is string => id !== null);
    const uses =
      ids.length === 0
        ? []
        : await db
            .selectFrom('invite_uses')
            .innerJoin('users', 'users.id', 'invite_uses.user_id')
            .select(['invite_uses.invite_id', 'users.id', 'users.username', 'invite_uses.used_at'])
            .where('invite_uses.invite_id', 'in', ids)
            .orderBy('invite_uses.used_at')
            .execute();
    return rows.map((r) => {
      const used = uses.filter((u) => u.invite_id === r.id);
      const state: InviteSummary['state'] = r.revoked_at !== null ? 'revoked' : r.uses >= r.max_uses ? 'used' : Number(r.expires_at) <= t ? 'expired' : 'active';
      return {
        id: r.id ?? '',
        hint: r.hint,
        state,
        created_by: r.username ? { id: r.created_by, username: r.username } : null,
        created_at: iso(Number(r.created_at)),
        expires_at: iso(Number(r.expires_at)),
        revoked_at: r.revoked_at === null ? null : iso(Number(r.revoked_at)),
        max_uses: Number(r.max_uses),
        uses: Number(r.uses),
        used_by: used.map((u) => ({ id: u.id, username: u.username, used_at: iso(Number(u.used_at)) })),
      };
    });
  }

  /** Revokes an invite by its id or its code: nobody else signs up with it; those who did stay. */
  async revoke(actor: Actor, idOrCode: string): Promise<void> {
    requireAdmin(actor);
    const { db, now } = this.deps;
    await db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('invites')
        .select(['id', 'revoked_at'])
        .where((eb) => eb.or([eb('id', '=', idOrCode), eb('code_hash', '=', hashInvite(idOrCode))]))
        .executeTakeFirst();
      if (!row?.id) throw new AppError('not_found', 'No such invite.');
      // Revoking twice is harmless and recorded once.
      if (row.revoked_at !== null) return;
      await trx.updateTable('invites').set({ revoked_at: now() }).where('id', '=', row.id).execute();
      await this.audit.record({ actor_id: actor.userId, action: 'invite.revoked', target: row.id, ip: actor.ip ?? null }, trx);
    });
  }

  /**
   * Inside a sign-up's transaction: takes one use of the invite, or refuses. Revoked, expired,
   * used-up and made-up codes all get the same answer, so a guesser learns nothing from it.
   */
  async redeem(trx: Db, code: string | undefined, userId: string, t: number): Promise<void> {
    if (!code) throw new AppError('registration_closed');
    const hash = hashInvite(code);
    const took = await trx
      .updateTable('invites')
      .set((eb) => ({ uses: eb('uses', '+', 1), used_by: userId, used_at: t }))
      .where('code_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', t)
      .where((eb) => eb('uses', '<', eb.ref('max_uses')))
      .executeTakeFirst();
    if (Number(took.numUpdatedRows) !== 1) throw new AppError('registration_closed', 'The invite code is invalid, used or expired.');
    const row = await trx.selectFrom('invites').select('id').where('code_hash', '=', hash).executeTakeFirstOrThrow();
    if (row.id) await trx.insertInto('invite_uses').values({ invite_id: row.id, user_id: userId, used_at: t }).execute();
  }
}

function requireAdmin(actor: Actor): void {
  if (actor.role !== 'owner' && actor.role !== 'admin') throw new AppError('forbidden', 'Only workspace admins manage invites.');
}
