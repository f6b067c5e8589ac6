import type { Db } from '../store/db.js';
import { newId } from '../core/ids.js';

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

  async list(limit: number, beforeId?: string) {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
    if (beforeId) q = q.where('id', '<', beforeId);
    const rows = await q.execute();
    return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as unknown, created_at: new Date(r.created_at).toISOString() }));
  }
}
