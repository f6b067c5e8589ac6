import type { AuditEntry as WireEntry } from '@parley/protocol';
import type { Db } from '../store/db.js';
import { AppError } from '../core/errors.js';
import { isId, newId } from '../core/ids.js';
import { iso } from '../core/time.js';
import { startsWith } from '../store/like.js';
import type { AuditFilter } from './filters.js';

export interface AuditEntry {
  actor_id: string | null;
  action: string;
  target?: string | null;
  data?: Record<string, unknown>;
  ip?: string | null;
}

/** Append-only record of security-relevant and admin actions. */
export class AuditService {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  async record(e: AuditEntry, db: Db = this.db): Promise<void> {
    await db
      .insertInto('audit_log')
      .values({
        id: newId(),
        actor_id: e.actor_id,
        action: e.action,
        target: e.target ?? null,
        data: JSON.stringify(e.data ?? {}),
        ip: e.ip ?? null,
        created_at: this.now(),
      })
      .execute();
  }

  /**
   * A page of entries, newest first, each with its actor's username. `before` pages by entry id
   * (ids sort by creation), so a page stays stable while new entries arrive.
   */
  async list(f: AuditFilter): Promise<WireEntry[]> {
    let q = this.db
      .selectFrom('audit_log')
      .leftJoin('users', 'users.id', 'audit_log.actor_id')
      .select(['audit_log.id', 'audit_log.actor_id', 'users.username as actor_username', 'audit_log.action', 'audit_log.target', 'audit_log.data', 'audit_log.ip', 'audit_log.created_at'])
      .orderBy('audit_log.id', 'desc')
      .limit(f.limit);
    if (f.before) q = q.where('audit_log.id', '<', f.before);
    if (f.actor !== undefined) q = q.where('audit_log.actor_id', '=', await this.actorId(f.actor));
    if (f.action && 'exact' in f.action) q = q.where('audit_log.action', '=', f.action.exact);
    else if (f.action) q = q.where(startsWith('audit_log.action', f.action.prefix));
    if (f.since !== undefined) q = q.where('audit_log.created_at', '>=', f.since);
    if (f.until !== undefined) q = q.where('audit_log.created_at', '<', f.until);
    const rows = await q.execute();
    return rows.map((r) => ({ ...r, actor_username: r.actor_username ?? null, data: JSON.parse(r.data) as unknown, created_at: iso(Number(r.created_at)) }));
  }

  /**
   * The user an `actor` filter names: an id, or a username. Users are deactivated, never deleted,
   * so a name that matches no one is a mistake worth saying (400), not an empty page.
   */
  private async actorId(actor: string): Promise<string> {
    const rows = await this.db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb.or([eb('username', '=', actor.toLowerCase()), ...(isId(actor) ? [eb('id', '=', actor)] : [])]))
      .execute();
    // An id wins over a username that happens to spell one.
    const row = rows.find((r) => r.id === actor) ?? rows[0];
    if (!row) throw new AppError('invalid_request', `No user has the username or id "${actor}".`, { field: '/querystring/actor' });
    return row.id;
  }
}
