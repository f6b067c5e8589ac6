import type { TokenScope } from '@parley/protocol';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Db, FifoLock } from '../store/db.js';
import type { Publisher } from '../bus/publisher.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Tracing } from '../telemetry/tracing.js';

/** What every service is built from; injected, never looked up globally. */
export interface Deps {
  db: Db;
  config: Config;
  publisher: Publisher;
  log: Logger;
  now: () => number;
  /** The embedded database's raw handle, for hot paths that run prepared statements; null on PostgreSQL. */
  sqlite: SQLite.Database | null;
  /**
   * Queries for background pollers that only read (push, webhooks, burn sweeps): on the embedded
   * database over the read-only connection, so they never wait for the main connection's turn,
   * which the send batcher holds while batches are in flight (see OpenedDb.reads); on PostgreSQL,
   * `db` itself.
   */
  reads: Db;
  /** A read-only connection to the embedded database (committed data, no wait for the writer); null on PostgreSQL. */
  sqliteReader: SQLite.Database | null;
  /** Whose turn it is on the embedded database's main connection (see OpenedDb.sqliteTurn); null on PostgreSQL. */
  sqliteTurn: FifoLock | null;
  /** The PostgreSQL pool, for the batched send path; null on SQLite. */
  pg: pg.Pool | null;
  /** This node's Prometheus metrics (metrics/metrics.ts). */
  metrics: Metrics;
  /** OpenTelemetry spans (telemetry/tracing.ts) when PARLEY_OTLP_ENDPOINT is set; null: none. */
  tracing?: Tracing | null;
}

/** The authenticated caller of any action. */
export interface Actor {
  userId: string;
  role: Role;
  /** The device session's id, or the API token's id when `via` is `token`. */
  sessionId: string;
  via: 'session' | 'token';
  ip?: string;
  /** An API token's scopes (auth/scopes.ts); absent for a session, which may do everything. */
  scopes?: readonly TokenScope[];
  /** The workspace requires two-factor sign-in and this session has not turned it on: it may do only that. */
  mustEnrol2fa?: boolean;
}

export type Role = 'owner' | 'admin' | 'member' | 'guest';

const RANK: Record<Role, number> = { guest: 0, member: 1, admin: 2, owner: 3 };

/** The lesser of two roles: a bot acts with no more rights than its owner has now. */
export const lesserRole = (a: Role, b: Role): Role => (RANK[a] <= RANK[b] ? a : b);
