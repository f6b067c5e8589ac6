import { isIPv6 } from 'node:net';
import { sql } from 'kysely';
import type { Lockout } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { iso } from '../core/time.js';
import type { AuditService } from '../audit/service.js';
import type { Db } from '../store/db.js';
import type { LoginLockoutsTable } from '../store/schema.js';

/**
 * How a sign-in attempt ended, for its keys:
 * - `success`: signed in; the account's failures are wiped, the address's attempt is given back
 *   (a success never wipes an address: an attacker could reset it with an account of their own);
 * - `partial`: the password was right but the sign-in is not done (`mfa_required`, password
 *   sign-in off for this account) or something unrelated failed: given back, nothing wiped, so
 *   a guesser who knows the password cannot reset the account's count between code guesses;
 * - `failure`: counted; at the limit the key is locked out.
 */
export type Outcome = 'success' | 'partial' | 'failure';

/** An attempt charged by `LoginLockouts.begin`, waiting for its outcome. */
export interface Attempt {
  settle(outcome: Outcome): Promise<void>;
}

interface Key {
  key: string;
  kind: 'account' | 'ip';
  limit: number;
}

type Row = LoginLockoutsTable;

/**
 * While attempts being checked have filled a key's budget (no lockout yet: they may still
 * succeed), another attempt is refused for this long. Every answer of a lockout looks the same.
 */
const IN_FLIGHT_RETRY_MS = 1_000;
const SWEEP_EVERY_MS = 60_000;
const REFUSED = 'Too many failed sign-in attempts; wait and retry.';

export const accountKey = (username: string) => `account:${username.toLowerCase()}`.slice(0, 300);

/**
 * An address's key. IPv6 addresses count per /64, the block one subscriber usually gets: counted
 * one by one, a guesser would have 2^64 fresh addresses. IPv4-mapped IPv6 addresses are IPv4.
 */
export function ipKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return `ip:${mapped[1]}`;
  if (!isIPv6(ip)) return `ip:${ip}`.slice(0, 300);
  const groups = (part: string) => (part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])));
  const [head = '', tail] = ip.toLowerCase().split('%')[0]!.split('::');
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const all = [...before, ...Array<string>(8 - before.length - after.length).fill('0'), ...after];
  return `ip:${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Growing sign-in lockouts per account and per client address, kept in the database so they
 * hold for every worker and node and across restarts.
 *
 * An attempt is charged before its password is checked (`begin`) and given back when it proves
 * right (`settle`): checking first and counting after a failure would let every guess of a
 * parallel burst through. Charging takes each key's row under a row lock (PostgreSQL) or inside
 * the embedded database's one-at-a-time transactions (SQLite), so two workers' charges of one key
 * never both see the last free attempt.
 *
 * The N-th failure in a window locks the key for `lockoutBaseMs`, doubled by each further
 * lockout up to `lockoutMaxMs`; a served lockout starts a new window; after `lockoutDecayMs`
 * without a failure the doubling starts over. While a key is locked every attempt is refused
 * alike, before anything about the account is looked up, so the answer never tells whether an
 * account exists: unknown usernames are counted and locked just the same.
 */
export class LoginLockouts {
  private lastSweep = 0;

  constructor(
    private readonly deps: Deps,
    private readonly audit: AuditService,
    /** How often a sign-in attempt also sweeps idle rows; a test that runs its own sweep turns this off. */
    private readonly sweepEveryMs = SWEEP_EVERY_MS,
  ) {}

  private get settings() {
    return this.deps.config.limits;
  }

  /**
   * Charges one attempt to the account (when known from the request) and to the client address,
   * or refuses it with `429 rate_limited` and `retry_after_ms` when either is locked out.
   */
  async begin(who: { account?: string; ip: string }): Promise<Attempt> {
    const keys: Key[] = [];
    if (who.account !== undefined) keys.push({ key: accountKey(who.account), kind: 'account', limit: this.settings.loginFailuresPerAccount });
    keys.push({ key: ipKey(who.ip), kind: 'ip', limit: this.settings.loginFailuresPerIp });
    // One order for every transaction (`account:` sorts before `ip:`), so two never wait on each other's rows.
    keys.sort((a, b) => (a.key < b.key ? -1 : 1));
    const t = this.deps.now();
    this.maybeSweep(t);
    const refusal = await this.deps.db.transaction().execute(async (trx) => {
      const rows = await this.lockRows(trx, keys, t);
      const states = keys.map((k) => this.current(rows.get(k.key)!, t));
      const lockedFor = Math.max(0, ...states.map((s) => (s.locked_until !== null ? s.locked_until - t : 0)));
      if (lockedFor > 0) return lockedFor;
      if (states.some((s, i) => s.failures >= keys[i]!.limit)) return Math.min(IN_FLIGHT_RETRY_MS, this.settings.lockoutBaseMs);
      for (const s of states) {
        await trx
          .updateTable('login_lockouts')
          .set({ failures: s.failures + 1, window_started_at: s.window_started_at, level: s.level, locked_until: null })
          .where('key', '=', s.key)
          .execute();
      }
      return 0;
    });
    if (refusal > 0) throw new AppError('rate_limited', REFUSED, { retry_after_ms: refusal });
    let settled = false;
    return {
      settle: async (outcome) => {
        if (settled) return;
        settled = true;
        await this.settle(keys, outcome, who.ip);
      },
    };
  }

  private async settle(keys: Key[], outcome: Outcome, ip: string): Promise<void> {
    const { db } = this.deps;
    if (outcome !== 'failure') {
      for (const k of keys) {
        await db
          .updateTable('login_lockouts')
          .set({ failures: outcome === 'success' && k.kind === 'account' ? sql<number>`0` : sql<number>`CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END` })
          .where('key', '=', k.key)
          .execute();
      }
      return;
    }
    const t = this.deps.now();
    await db.transaction().execute(async (trx) => {
      const rows = await this.lockRows(trx, keys, t);
      for (const k of keys) {
        const row = rows.get(k.key)!;
        const lockedNow = row.locked_until !== null && row.locked_until > t;
        // The doubling starts over after a quiet period (measured before this failure is recorded).
        const level = row.level > 0 && !lockedNow && row.last_failure_at !== null && t - row.last_failure_at >= this.settings.lockoutDecayMs ? 0 : row.level;
        if (lockedNow || row.failures < k.limit) {
          await trx.updateTable('login_lockouts').set({ last_failure_at: t, level }).where('key', '=', k.key).execute();
          continue;
        }
        const until = t + Math.min(this.settings.lockoutMaxMs, this.settings.lockoutBaseMs * 2 ** Math.min(level, 40));
        await trx
          .updateTable('login_lockouts')
          .set({ last_failure_at: t, level: level + 1, locked_until: until })
          .where('key', '=', k.key)
          .execute();
        await this.audit.record({ actor_id: null, action: 'auth.locked_out', target: k.key, data: { level: level + 1, until: iso(until), failures: row.failures }, ip }, trx);
      }
    });
  }

  /**
   * Each key's row, created if missing and locked until the transaction ends (PostgreSQL; SQLite
   * runs one transaction at a time).
   *
   * The upsert's no-op update is what takes the lock on PostgreSQL. A plain `DO NOTHING` followed
   * by `SELECT … FOR UPDATE` left a gap: a sweep (from this node or another) could delete an idle
   * row between the two, the select found nothing, and the attempt charged to the missing row was
   * lost, so a guesser got one more try than the limit (seen in CI as a 401 where a 429 was due).
   * With the row locked by the upsert itself, a racing sweep waits and then sees the row as this
   * transaction left it, no longer idle.
   */
  private async lockRows(trx: Db, keys: Key[], t: number): Promise<Map<string, Row>> {
    const rows = await trx
      .insertInto('login_lockouts')
      .values(keys.map((k) => ({ key: k.key, failures: 0, window_started_at: t, level: 0, locked_until: null, last_failure_at: null })))
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ key: eb.ref('excluded.key') })))
      .returningAll()
      .execute();
    const byKey = new Map(rows.map((r) => [r.key, r]));
    for (const k of keys) if (!byKey.has(k.key)) throw new Error(`login_lockouts: the upsert of ${k.key} returned no row`);
    return byKey;
  }

  /** A row as it stands at `t`: a served lockout and an ended window forget their failures; a quiet key its lockouts. */
  private current(row: Row, t: number): Row {
    const s = { ...row };
    if (s.locked_until !== null && s.locked_until <= t) {
      s.locked_until = null;
      s.failures = 0;
      s.window_started_at = t;
    }
    if (t - s.window_started_at >= this.settings.loginFailureWindowMs) {
      s.failures = 0;
      s.window_started_at = t;
    }
    if (s.level > 0 && s.locked_until === null && s.last_failure_at !== null && t - s.last_failure_at >= this.settings.lockoutDecayMs) s.level = 0;
    return s;
  }

  /** Keys locked now or with failures in their window or lockouts not yet forgotten (owners and admins). */
  async list(actor: Actor): Promise<Lockout[]> {
    requireAdmin(actor);
    const t = this.deps.now();
    const { loginFailureWindowMs, lockoutDecayMs } = this.settings;
    const rows = await this.deps.db
      .selectFrom('login_lockouts')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('locked_until', '>', t),
          eb.and([eb('failures', '>', 0), eb('window_started_at', '>', t - loginFailureWindowMs)]),
          eb.and([eb('level', '>', 0), eb('last_failure_at', '>', t - lockoutDecayMs)]),
        ]),
      )
      .orderBy('locked_until', 'desc')
      .orderBy('last_failure_at', 'desc')
      .limit(500)
      .execute();
    return rows
      .map((r) => this.current(r, t))
      .filter((s) => s.locked_until !== null || s.failures > 0 || s.level > 0)
      .map((s) => ({
        key: s.key,
        kind: s.key.startsWith('ip:') ? ('ip' as const) : ('account' as const),
        subject: s.key.slice(s.key.indexOf(':') + 1),
        failures: s.failures,
        level: s.level,
        locked_until: s.locked_until === null ? null : iso(s.locked_until),
        last_failure_at: s.last_failure_at === null ? null : iso(s.last_failure_at),
      }));
  }

  /** Lifts a lockout and forgets the key's failures and past lockouts; audited. */
  async clear(actor: Actor, key: string): Promise<void> {
    requireAdmin(actor);
    const t = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('login_lockouts').selectAll().where('key', '=', key).executeTakeFirst();
      const s = row && this.current(row, t);
      // A typo (`account:alicee`) is told so rather than "lifted".
      if (!s || (s.failures === 0 && s.level === 0 && s.locked_until === null)) throw new AppError('not_found', 'Nothing to lift: no lockout and no recent failed sign-ins for that key.');
      await trx.deleteFrom('login_lockouts').where('key', '=', key).execute();
      await this.audit.record({ actor_id: actor.userId, action: 'auth.lockout_cleared', target: key, ip: actor.ip ?? null }, trx);
    });
  }

  /**
   * Rows with nothing left to remember (no lockout, window over, lockouts forgotten) are deleted
   * now and then, so guesses at made-up usernames do not pile up rows.
   */
  private maybeSweep(t: number): void {
    if (t - this.lastSweep < this.sweepEveryMs) return;
    this.lastSweep = t;
    void sweepIdleLockouts(this.deps.db, t, this.settings).catch((err: unknown) => this.deps.log.debug({ err }, 'sign-in lockout sweep failed; the next one retries'));
  }
}

/**
 * Deletes the rows with nothing left to remember at `t`: no lockout, window over, lockouts
 * forgotten. A row a charge has just written is never idle, so a sweep that waited on its lock
 * leaves it be.
 */
export async function sweepIdleLockouts(db: Db, t: number, settings: { loginFailureWindowMs: number; lockoutDecayMs: number }): Promise<void> {
  await db
    .deleteFrom('login_lockouts')
    .where((eb) =>
      eb.and([
        eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', t)]),
        eb('window_started_at', '<=', t - settings.loginFailureWindowMs),
        eb.or([eb('level', '=', 0), eb('last_failure_at', '<=', t - settings.lockoutDecayMs)]),
      ]),
    )
    .execute();
}

function requireAdmin(actor: Actor): void {
  if (actor.role !== 'owner' && actor.role !== 'admin') throw new AppError('forbidden', 'Only workspace owners and admins can see and lift sign-in lockouts.');
}
