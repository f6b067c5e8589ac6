import type { WorkspaceSettings, WorkspaceSettingsPatch } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import type { AuditService } from '../audit/service.js';

const DEFAULTS: WorkspaceSettings = { require_2fa: false, secret_policy: 'mask' };
const POLICIES: readonly string[] = ['mask', 'block', 'warn'];

/**
 * What owners and admins change while Parley runs, kept in the database (so every node and
 * worker reads the same) and audited. Read where it matters (a sign-in), not cached: a change
 * holds from the next read on, on every node.
 */
export class WorkspaceSettingsService {
  constructor(
    private readonly deps: Deps,
    private readonly audit: AuditService,
  ) {}

  async get(): Promise<WorkspaceSettings> {
    const rows = await this.deps.db.selectFrom('workspace_settings').select(['key', 'value']).execute();
    const out: WorkspaceSettings = { ...DEFAULTS };
    for (const r of rows) {
      if (r.key === 'require_2fa') out.require_2fa = r.value === 'true';
      else if (r.key === 'secret_policy' && POLICIES.includes(r.value)) out.secret_policy = r.value as WorkspaceSettings['secret_policy'];
    }
    return out;
  }

  async read(actor: Actor): Promise<WorkspaceSettings> {
    requireAdmin(actor);
    return this.get();
  }

  async update(actor: Actor, patch: WorkspaceSettingsPatch): Promise<WorkspaceSettings> {
    requireAdmin(actor);
    const { db, now } = this.deps;
    const before = await this.get();
    await db.transaction().execute(async (trx) => {
      for (const [key, value] of Object.entries(patch) as [keyof WorkspaceSettings, boolean | string][]) {
        if (before[key] === value) continue;
        const row = { key, value: String(value), updated_at: now(), updated_by: actor.userId };
        await trx
          .insertInto('workspace_settings')
          .values(row)
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, updated_at: row.updated_at, updated_by: row.updated_by }))
          .execute();
        await this.audit.record({ actor_id: actor.userId, action: 'settings.changed', target: key, data: { from: before[key], to: value }, ip: actor.ip ?? null }, trx);
      }
      // Lifting the requirement frees the sessions it held.
      if (patch.require_2fa === false) await trx.updateTable('sessions').set({ enrol_2fa: 0 }).where('enrol_2fa', '=', 1).execute();
    });
    return this.get();
  }
}

function requireAdmin(actor: Actor): void {
  if (actor.role !== 'owner' && actor.role !== 'admin') throw new AppError('forbidden', 'Only workspace owners and admins change workspace settings.');
}
