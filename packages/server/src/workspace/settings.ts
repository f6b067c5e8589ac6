import type { WorkspaceSettings, WorkspaceSettingsPatch } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import type { Db } from '../store/db.js';
import { AppError } from '../core/errors.js';
import type { AuditService } from '../audit/service.js';
import { ConfigError } from '../config/setting.js';
import { SETTINGS } from '../config/settings.js';

const POLICIES: readonly string[] = ['mask', 'block', 'warn'];

/**
 * The limits an admin may change at run time, each checked by its environment variable's own
 * setting (the same range, the same words when refused). Every path reads them from
 * `config.limits` when it needs them (a send batch, an edit, an upload's creation, a hello), so
 * the live values are written there rather than threaded through each of those paths.
 */
const LIMITS = {
  max_message_chars: { setting: SETTINGS['limits.maxMessageChars'], field: 'maxMessageChars' },
  max_upload_bytes: { setting: SETTINGS['limits.maxUploadBytes'], field: 'maxUploadBytes' },
} as const;
type LimitKey = keyof typeof LIMITS;
const LIMIT_KEYS = Object.keys(LIMITS) as LimitKey[];

/** How often each node reads the settings for the limits it holds in memory: a change holds everywhere within this. */
export const LIVE_LIMITS_REFRESH_MS = 2_000;

/** A stored window: milliseconds, or `unlimited`; anything else is not one (the default holds). */
function windowOf(value: string): number | null | undefined {
  if (value === 'null') return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * What owners and admins change while Parley runs, kept in the database (so every node and
 * worker reads the same) and audited; the environment's settings are the defaults. Read where it
 * matters (a sign-in, an edit, a socket's hello), not cached: a change holds from the next read
 * on, on every node, with no announcement to miss. The limits are the exception: a send must not
 * wait for a read, so each node holds them in memory and reads them again every
 * LIVE_LIMITS_REFRESH_MS (the node that made the change at once).
 */
export class WorkspaceSettingsService {
  /** The environment's limits, kept before live values are written over `config.limits`. */
  private readonly envLimits: Record<LimitKey, number>;
  private refreshTimer: NodeJS.Timeout | null = null;
  /** Moves with every change made here: a refresh that read before it must not put the old limits back. */
  private limitsEpoch = 0;

  constructor(
    private readonly deps: Deps,
    private readonly audit: AuditService,
  ) {
    const l = deps.config.limits;
    this.envLimits = { max_message_chars: l.maxMessageChars, max_upload_bytes: l.maxUploadBytes };
  }

  /**
   * The settings now: the environment's defaults, with what admins changed over them. `db` is
   * the main connection unless a poller passes `Deps.reads`.
   */
  async get(db: Db = this.deps.db): Promise<WorkspaceSettings> {
    const { config } = this.deps;
    const rows = await db.selectFrom('workspace_settings').select(['key', 'value']).execute();
    const out: WorkspaceSettings = {
      require_2fa: false,
      secret_policy: 'mask',
      edit_window_ms: config.editWindowMs,
      recall_window_ms: config.recallWindowMs,
      registration: config.registration,
      retention_days: config.retentionDays,
      ...this.envLimits,
    };
    for (const r of rows) {
      if (r.key === 'require_2fa') out.require_2fa = r.value === 'true';
      else if (r.key === 'secret_policy' && POLICIES.includes(r.value)) out.secret_policy = r.value as WorkspaceSettings['secret_policy'];
      else if (r.key === 'edit_window_ms' || r.key === 'recall_window_ms') {
        const w = windowOf(r.value);
        if (w !== undefined) out[r.key] = w;
      } else if (r.key === 'registration' && (r.value === 'open' || r.value === 'invite')) out.registration = r.value;
      else if (r.key === 'retention_days') {
        // Days, or `null` for forever (messages/retention.ts); anything else is not one (the default holds).
        const days = r.value === 'null' ? null : Number(r.value);
        if (days === null || (Number.isInteger(days) && days >= 1 && days <= 36_500)) out.retention_days = days;
      } else if (r.key in LIMITS) {
        const key = r.key as LimitKey;
        try {
          out[key] = LIMITS[key].setting.check(Number(r.value), key);
        } catch {
          // Not one (a range narrowed since it was stored): the environment's holds.
        }
      }
    }
    return out;
  }

  private inFlight: Promise<WorkspaceSettings> | null = null;

  /**
   * The settings, with one read shared by every caller that asks while it is under way. For a
   * socket's hello: a reconnect storm of thousands of sockets would otherwise make as many reads
   * of the same rows at once (a round trip each on PostgreSQL). A hello may share a read begun just
   * before a change; every read begun after it sees it.
   */
  shared(): Promise<WorkspaceSettings> {
    if (this.inFlight) return this.inFlight;
    const read = this.get().finally(() => {
      if (this.inFlight === read) this.inFlight = null;
    });
    this.inFlight = read;
    return read;
  }

  async read(actor: Actor): Promise<WorkspaceSettings> {
    requireAdmin(actor);
    return this.get();
  }

  async update(actor: Actor, patch: WorkspaceSettingsPatch): Promise<WorkspaceSettings> {
    requireAdmin(actor);
    for (const key of LIMIT_KEYS) {
      const value = patch[key];
      if (value === undefined) continue;
      try {
        LIMITS[key].setting.check(value, key);
      } catch (e) {
        if (e instanceof ConfigError) throw new AppError('invalid_request', e.message, { field: `/body/${key}` });
        throw e;
      }
    }
    const { db, now } = this.deps;
    const before = await this.get();
    await db.transaction().execute(async (trx) => {
      for (const [key, value] of Object.entries(patch) as [keyof WorkspaceSettings, boolean | string | number | null][]) {
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
    const after = await this.get();
    this.limitsEpoch++;
    this.applyLimits(after);
    return after;
  }

  private applyLimits(s: WorkspaceSettings): void {
    for (const key of LIMIT_KEYS) this.deps.config.limits[LIMITS[key].field] = s[key];
  }

  /** Reads the limits now; a failed read keeps the ones held (and says so). */
  async refreshLimits(): Promise<void> {
    const epoch = this.limitsEpoch;
    try {
      // A poll, so on the read-only connection: on the main one each read waited for the send
      // batcher's turn and drained its pipeline (see OpenedDb.reads).
      const now = await this.get(this.deps.reads);
      if (epoch === this.limitsEpoch) this.applyLimits(now);
    } catch (err) {
      this.deps.log.warn({ err }, 'workspace settings: could not read the live limits; the ones held stay');
    }
  }

  /** Holds the limits from the database from now on (app.ts: before the node serves). */
  async start(): Promise<void> {
    await this.refreshLimits();
    this.refreshTimer = setInterval(() => void this.refreshLimits(), LIVE_LIMITS_REFRESH_MS);
    this.refreshTimer.unref();
  }

  stop(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
  }
}

function requireAdmin(actor: Actor): void {
  if (actor.role !== 'owner' && actor.role !== 'admin') throw new AppError('forbidden', 'Only workspace owners and admins change workspace settings.');
}
