import type pg from 'pg';
import type { Logger } from 'pino';
import { StoragePool } from '../store/pg-pool.js';
import { TokenBuckets } from './rate-limit.js';

/**
 * A rate limit as every caller sees it, whatever holds the buckets: `take` charges `cost`
 * tokens of `key` and resolves 0 when allowed, otherwise how many ms until they are back.
 * A negative cost gives tokens back (never past the burst).
 */
export interface Limiter {
  readonly ratePerSec: number;
  readonly burst: number;
  take(key: string, cost?: number): Promise<number>;
}

/** One process holds every bucket (the embedded SQLite deployment): exact, no I/O. */
export class MemoryLimiter implements Limiter {
  /** The synchronous buckets, for the embedded send path that charges each batch as it goes out. */
  readonly buckets: TokenBuckets;

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    now: () => number = Date.now,
  ) {
    this.buckets = new TokenBuckets(ratePerSec, burst, now);
  }

  take(key: string, cost = 1): Promise<number> {
    return Promise.resolve(this.buckets.take(key, cost));
  }
}

interface Waiter {
  cost: number;
  resolve: (wait: number) => void;
  /** Charged locally instead if the shared charge fails. */
  fallback: MemoryLimiter;
  key: string;
}

interface KeyCharge {
  rate: number;
  burst: number;
  cost: number;
  waiters: Waiter[];
}

/**
 * One statement charges every take made in one turn of the event loop, for every limiter and key.
 * Rows are upserted in key order, so two nodes' statements lock shared keys in the same order and
 * never deadlock.
 * Per key the turn's takes (all of one cost; a take of another cost waits for the next turn) are
 * granted in arrival order while tokens last, so several takes of one key each get their own
 * answer. The refill is computed in SQL from the stored `(tokens, at)` on the database's clock,
 * so nodes whose clocks disagree never mint tokens.
 */
const CHARGE = `
INSERT INTO rate_buckets AS b (key, rate, burst, cost, want, granted, tokens, at)
SELECT r.key, r.rate, r.burst, r.cost, r.want, g.n, LEAST(r.burst, r.burst - g.n * r.cost), c.now
FROM unnest($1::varchar[], $2::float8[], $3::float8[], $4::float8[], $5::int[]) AS r(key, rate, burst, cost, want)
CROSS JOIN (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now) AS c
CROSS JOIN LATERAL (SELECT CASE WHEN r.cost <= 0 THEN r.want ELSE LEAST(r.want, floor(r.burst / r.cost))::int END AS n) AS g
ORDER BY r.key
ON CONFLICT (key) DO UPDATE SET
  rate = EXCLUDED.rate, burst = EXCLUDED.burst, cost = EXCLUDED.cost, want = EXCLUDED.want,
  granted = CASE WHEN EXCLUDED.cost <= 0 THEN EXCLUDED.want
    ELSE LEAST(EXCLUDED.want, floor(LEAST(EXCLUDED.burst, b.tokens + GREATEST(0, EXCLUDED.at - b.at) * EXCLUDED.rate / 1000) / EXCLUDED.cost))::int END,
  tokens = LEAST(EXCLUDED.burst, LEAST(EXCLUDED.burst, b.tokens + GREATEST(0, EXCLUDED.at - b.at) * EXCLUDED.rate / 1000)
    - (CASE WHEN EXCLUDED.cost <= 0 THEN EXCLUDED.want
        ELSE LEAST(EXCLUDED.want, floor(LEAST(EXCLUDED.burst, b.tokens + GREATEST(0, EXCLUDED.at - b.at) * EXCLUDED.rate / 1000) / EXCLUDED.cost))::int END) * EXCLUDED.cost),
  at = GREATEST(b.at, EXCLUDED.at)
RETURNING key, tokens, granted`;

/** Buckets that have refilled completely hold nothing a new bucket would not: drop them. */
const SWEEP = 'DELETE FROM rate_buckets WHERE tokens + ((extract(epoch FROM clock_timestamp()) * 1000)::bigint - at) * rate / 1000 >= burst';

const SWEEP_MS = 60_000;
/** Charge statements at once (the pool's size): while both run, new takes gather into the next one. */
const IN_FLIGHT = 2;
/** A failing database is reported at most this often, not once per request. */
const WARN_EVERY_MS = 30_000;

/**
 * The buckets of every shared limiter, in one PostgreSQL table every node charges.
 *
 * Why batched per turn: the IP budget is charged on every REST request and socket request, so a
 * statement per take would put a round trip and a row lock on every request; one statement per
 * turn costs the same whether the turn carried one request or a thousand.
 *
 * Why its own small pool: the PostgreSQL send path charges while it holds a pooled connection
 * for its batch; charging through the same pool could wait for a connection that only frees
 * once the charge is answered.
 *
 * When PostgreSQL fails a charge, each take falls back to its limiter's in-memory bucket (the
 * per-process limit, as before) and a warning is logged: a limiter failure never stops chat, and
 * a node still limits what it serves itself.
 */
export class PgLimitStore {
  private pending = new Map<string, KeyCharge>();
  private later: { key: string; charge: KeyCharge; waiter: Waiter }[] = [];
  private scheduled = false;
  private inFlight = 0;
  private lastWarn = 0;
  private readonly sweeper: NodeJS.Timeout;
  private readonly pool: pg.Pool;

  constructor(
    url: string,
    schema: string | null,
    private readonly log: Logger,
  ) {
    // synchronous_commit=off: a charge does not wait for its WAL to reach the disk (that wait
    // was most of a charge's time, and every REST and socket request waits for one). What a
    // database crash can lose is the last few hundred ms of charges: a few tokens given back.
    const options = `${schema ? `-c search_path=${schema} ` : ''}-c synchronous_commit=off`;
    this.pool = new StoragePool({ connectionString: url, max: IN_FLIGHT, connectionTimeoutMillis: 3_000, options }, log, 'shared limits');
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** A limiter named `name` (its keys never meet another limiter's) with its own local fallback. */
  limiter(name: string, ratePerSec: number, burst: number, now: () => number = Date.now): Limiter {
    const fallback = new MemoryLimiter(ratePerSec, burst, now);
    return {
      ratePerSec,
      burst,
      take: (key, cost = 1) => this.charge(`${name}:${key}`.slice(0, 300), ratePerSec, burst, cost, fallback, key),
    };
  }

  private charge(bucket: string, rate: number, burst: number, cost: number, fallback: MemoryLimiter, localKey: string): Promise<number> {
    return new Promise((resolve) => {
      const waiter: Waiter = { cost, resolve, fallback, key: localKey };
      const c = this.pending.get(bucket);
      if (!c) this.pending.set(bucket, { rate, burst, cost, waiters: [waiter] });
      else if (c.cost === cost) c.waiters.push(waiter);
      // One statement touches a row once, with one cost per row: another cost waits a turn.
      else this.later.push({ key: bucket, charge: { rate, burst, cost, waiters: [] }, waiter });
      this.schedule();
    });
  }

  /**
   * The flush waits for the check phase of the event loop, so every take of this turn joins it;
   * with IN_FLIGHT statements running, takes keep gathering until one returns (a slow database
   * makes bigger statements, not a queue of small ones).
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= IN_FLIGHT || this.pending.size === 0) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    const later = this.later;
    this.later = [];
    for (const l of later) {
      const c = this.pending.get(l.key);
      if (!c) this.pending.set(l.key, { ...l.charge, waiters: [l.waiter] });
      else if (c.cost === l.charge.cost) c.waiters.push(l.waiter);
      else this.later.push(l);
    }
    if (batch.size === 0) return;
    this.inFlight++;
    try {
      await this.run(batch);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }

  private async run(batch: Map<string, KeyCharge>): Promise<void> {
    const keys = [...batch.keys()];
    const charges = keys.map((k) => batch.get(k)!);
    let rows: { key: string; tokens: number; granted: number }[];
    try {
      const res = await this.pool.query<{ key: string; tokens: number; granted: number }>({
        name: 'parley_limits_charge',
        text: CHARGE,
        values: [keys, charges.map((c) => c.rate), charges.map((c) => c.burst), charges.map((c) => c.cost), charges.map((c) => c.waiters.length)],
      });
      rows = res.rows;
    } catch (err) {
      const t = Date.now();
      if (t - this.lastWarn > WARN_EVERY_MS) {
        this.lastWarn = t;
        this.log.warn({ err }, 'shared rate limits unavailable; limiting per process until PostgreSQL answers');
      }
      for (const c of charges) for (const w of c.waiters) w.resolve(w.fallback.buckets.take(w.key, w.cost));
      return;
    }
    const byKey = new Map(rows.map((r) => [r.key, r]));
    for (let i = 0; i < keys.length; i++) {
      const c = charges[i]!;
      const row = byKey.get(keys[i]!);
      const granted = row ? Number(row.granted) : 0;
      const tokens = row ? Number(row.tokens) : 0;
      c.waiters.forEach((w, n) => w.resolve(n < granted ? 0 : Math.max(1, Math.ceil(((c.cost - tokens) / c.rate) * 1000))));
    }
  }

  /** Deletes idle full buckets (every minute by itself). */
  async sweep(): Promise<void> {
    try {
      await this.pool.query(SWEEP);
    } catch (err) {
      this.log.debug({ err }, 'rate bucket sweep failed; the next one retries');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.pool.end().catch((err: unknown) => this.log.debug({ err }, 'closing the shared-limits pool failed'));
  }
}

/** Every limit the server enforces, shared by REST and the socket gateway. */
export interface Limiters {
  /** Register, login and refresh attempts per IP (failed ones also lock out: auth/lockouts.ts). */
  auth: Limiter;
  /** Every REST request and socket request per IP. */
  ip: Limiter;
  /** Messages and reactions per user. */
  send: Limiter;
  /** History, thread, sync and single reads per user, on REST and socket alike. */
  read: Limiter;
  /** Whether the buckets are shared by every node (PostgreSQL) or held by this process. */
  shared: boolean;
  close(): Promise<void>;
}

export interface LimitSettings {
  authRatePerMin: number;
  ipRatePerSec: number;
  ipBurst: number;
  sendRatePerSec: number;
  sendBurst: number;
  readRatePerSec: number;
  readBurst: number;
}

/** Shared buckets when storage is PostgreSQL (the only storage several processes can share), in memory otherwise. */
export function buildLimiters(l: LimitSettings, pgUrl: string | null, pgSchema: string | null, log: Logger, now: () => number = Date.now): Limiters {
  const store = pgUrl ? new PgLimitStore(pgUrl, pgSchema, log) : null;
  const make = (name: string, rate: number, burst: number): Limiter => (store ? store.limiter(name, rate, burst, now) : new MemoryLimiter(rate, burst, now));
  return {
    auth: make('auth', l.authRatePerMin / 60, l.authRatePerMin),
    ip: make('ip', l.ipRatePerSec, l.ipBurst),
    send: make('send', l.sendRatePerSec, l.sendBurst),
    read: make('read', l.readRatePerSec, l.readBurst),
    shared: store !== null,
    close: async () => store?.close(),
  };
}
