import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type pg from 'pg';
import {
  Kysely,
  Migrator,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type LogEvent,
  type Driver,
  type Migration,
  type MigrationProvider,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import * as m001 from './migrations/001_initial.js';
import * as m002 from './migrations/002_api_tokens.js';
import * as m003 from './migrations/003_presence.js';
import * as m004 from './migrations/004_thread_index_partial.js';
import * as m005 from './migrations/005_mentions_by_message.js';
import * as m006 from './migrations/006_shared_limits.js';
import * as m007 from './migrations/007_session_key.js';
import * as m008 from './migrations/008_uploads.js';
import * as m009 from './migrations/009_blobs.js';
import * as m010 from './migrations/010_search.js';
import * as m011 from './migrations/011_auth_epoch.js';
import * as m012 from './migrations/012_incoming_webhooks.js';
import * as m013 from './migrations/013_outgoing_webhooks.js';
import * as m014 from './migrations/014_slash_commands.js';
import * as m015 from './migrations/015_token_scopes.js';
import * as m016 from './migrations/016_reminders.js';
import * as m017 from './migrations/017_member_muted.js';
import * as m018 from './migrations/018_integration_threads.js';
import * as m019 from './migrations/019_receiver_keys.js';
import * as m020 from './migrations/020_message_tags.js';
import * as m021 from './migrations/021_two_factor.js';
import * as m022 from './migrations/022_login_lockouts.js';
import * as m023 from './migrations/023_single_sign_on.js';
import * as m024 from './migrations/024_audit_filters.js';
import * as m025 from './migrations/025_burn_after_reading.js';
import * as m026 from './migrations/026_web_push.js';
import * as m027 from './migrations/027_notification_levels.js';
import * as m028 from './migrations/028_pins_and_saved.js';
import * as m029 from './migrations/029_profile.js';
import * as m030 from './migrations/030_invite_links.js';
import * as m031 from './migrations/031_conversation_purpose.js';
import * as m032 from './migrations/032_message_trace.js';
import * as m033 from './migrations/033_nodes.js';
import * as m034 from './migrations/034_retention.js';
import * as m035 from './migrations/035_expired_index.js';
import type { Database } from './schema.js';
import type { Logger } from 'pino';
import { BackgroundCheckpointer } from './checkpointer.js';
import { tuneWritingConnection } from './sqlite-pragmas.js';
import { attachSearchIndex } from '../search/sqlite-index-file.js';

export type Db = Kysely<Database>;

/** The names of every migration this Parley has, in order (a restore checks a backup against them). */
export async function migrationNames(): Promise<string[]> {
  return Object.keys(await new StaticMigrations().getMigrations()).sort();
}

/** Migrations are listed in code (not read from disk) so a bundled server carries them. */
class StaticMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '001_initial': m001,
      '002_api_tokens': m002,
      '003_presence': m003,
      '004_thread_index_partial': m004,
      '005_mentions_by_message': m005,
      '006_shared_limits': m006,
      '007_session_key': m007,
      '008_uploads': m008,
      '009_blobs': m009,
      '010_search': m010,
      '011_auth_epoch': m011,
      '012_incoming_webhooks': m012,
      '013_outgoing_webhooks': m013,
      '014_slash_commands': m014,
      '015_token_scopes': m015,
      '016_reminders': m016,
      '017_member_muted': m017,
      '018_integration_threads': m018,
      '019_receiver_keys': m019,
      '020_message_tags': m020,
      '021_two_factor': m021,
      '022_login_lockouts': m022,
      '023_single_sign_on': m023,
      '024_audit_filters': m024,
      '025_burn_after_reading': m025,
      '026_web_push': m026,
      '027_notification_levels': m027,
      '028_pins_and_saved': m028,
      '029_profile': m029,
      '030_invite_links': m030,
      '031_conversation_purpose': m031,
      '032_message_trace': m032,
      '033_nodes': m033,
      '034_retention': m034,
      '035_expired_index': m035,
    };
  }
}

/**
 * When a statement fails with SQLITE_FULL or an I/O error, SQLite has already rolled the
 * transaction back; Kysely's ROLLBACK then fails with "no transaction is active" and that error
 * would replace the real one. Swallowing exactly that case keeps the original error, so the
 * client gets `unavailable` instead of `internal`.
 */
class ResilientSqliteDriver extends SqliteDriver {
  constructor(
    cfg: ConstructorParameters<typeof SqliteDriver>[0],
    private readonly turn: FifoLock,
  ) {
    super(cfg);
  }

  /**
   * Kysely's own lock wakes every waiter on each release and all but one go back to sleep: with
   * thousands of queries waiting (a reconnect storm) each query cost ~1 ms instead of ~12 µs
   * (measured: 20,000 concurrent lookups). Ours hands the connection to the next waiter only;
   * the base class's lock is then never contended.
   */
  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.turn.acquire();
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    this.turn.release();
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } catch (e) {
      if (!/no transaction is active/.test((e as Error).message)) throw e;
    }
  }
}

/** A lock that wakes its waiters one at a time, in arrival order. */
export class FifoLock {
  private held = false;
  private waiters: (() => void)[] = [];
  private head = 0;

  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** How many are waiting for the lock. */
  get waiting(): number {
    return this.waiters.length - this.head;
  }

  release(): void {
    if (this.head < this.waiters.length) {
      const next = this.waiters[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.waiters.length) {
        this.waiters = this.waiters.slice(this.head);
        this.head = 0;
      }
      next(); // the lock passes straight to the next waiter
      return;
    }
    this.waiters = [];
    this.head = 0;
    this.held = false;
  }
}

class ResilientSqliteDialect extends SqliteDialect {
  constructor(
    private readonly cfg: ConstructorParameters<typeof SqliteDialect>[0],
    private readonly turn: FifoLock,
  ) {
    super(cfg);
  }
  override createDriver(): Driver {
    return new ResilientSqliteDriver(this.cfg, this.turn);
  }
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing was ~11% of the server's CPU in a
 * reconnect storm. Statements are kept by SQL text (least recently used dropped past `max`).
 * Reusing one is safe: Kysely runs one query at a time on the connection, and a streaming query
 * holds the connection until its iterator is done.
 */
export class CachedStatements implements SqliteDatabase {
  private readonly cache = new Map<string, SqliteStatement>();

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly max = 1000,
  ) {}

  close(): void {
    this.cache.clear();
    this.sqlite.close();
  }

  prepare(sql: string): SqliteStatement {
    const hit = this.cache.get(sql);
    if (hit) {
      this.cache.delete(sql);
      this.cache.set(sql, hit);
      return hit;
    }
    const stmt = this.sqlite.prepare(sql);
    this.cache.set(sql, stmt);
    if (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!);
    return stmt;
  }
}

export interface OpenedDb {
  db: Db;
  /** The raw SQLite handle (embedded mode), for operations tooling and fault-injection tests. */
  sqlite: SQLite.Database | null;
  /**
   * A second, read-only connection to the same file (embedded mode): it sees committed data
   * only, and reads on it never wait for the writing connection's lock (held by every send
   * batch), so a hot read such as "is this account still allowed" costs microseconds.
   */
  sqliteReader: SQLite.Database | null;
  /**
   * Kysely over that read-only connection (embedded mode; on PostgreSQL the main `db`), for
   * pollers that only read. Every query on the main connection waits for its turn, which the send
   * batcher holds while the writer thread commits; a poller's SELECT there stopped new batches until
   * the pipeline was empty. The push, webhook and burn pollers read ~10 times a second, and with
   * sends waiting the pipeline stood empty 15–30 % of the time (measured, dm bench at saturation).
   */
  reads: Db;
  /**
   * The main SQLite connection's turn (embedded mode): Kysely takes it for every query, the send
   * batcher holds it while the writer thread writes, and anything else that writes through the
   * raw handle takes it first. So the main connection never waits on SQLite's write lock (a
   * blocking wait, on the event loop) and never writes into another caller's open transaction.
   */
  sqliteTurn: FifoLock | null;
  /** The PostgreSQL pool (server mode), for the send path's batched statements. */
  pg: pg.Pool | null;
  close(): Promise<void>;
}

/** Told each query's SQL and time once it ran (the metrics' database histogram). */
export type QueryObserver = (sql: string, ms: number) => void;

/** Kysely's `log` option for an observer: queries only, errors included (they took time too). */
export function queryLog(onQuery: QueryObserver | undefined): { log?: (e: LogEvent) => void } {
  if (!onQuery) return {};
  return { log: (e) => onQuery(e.query.sql, e.queryDurationMillis) };
}

/** Opens the embedded SQLite database under `dataDir` (WAL mode) and runs pending migrations. */
export async function openSqlite(dataDir: string, synchronous: 'full' | 'normal', checkpointMs = 0, log: Logger | null = null, onQuery?: QueryObserver): Promise<OpenedDb> {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'parley.db');
  const sqlite = new SQLite(file);
  tuneWritingConnection(sqlite, { synchronous, checkpointMs });
  const turn = new FifoLock();
  const db = new Kysely<Database>({ dialect: new ResilientSqliteDialect({ database: new CachedStatements(sqlite) }, turn), ...queryLog(onQuery) });
  await migrate(db);
  attachSearchIndex(sqlite, dataDir);
  const checkpointer = checkpointMs > 0 ? new BackgroundCheckpointer(file, checkpointMs, log) : null;
  const reader = new SQLite(file, { readonly: true, fileMustExist: true });
  reader.pragma('busy_timeout = 5000');
  // Kysely's own driver: one read-only connection whose queries never take the main one's turn.
  const reads = new Kysely<Database>({ dialect: new SqliteDialect({ database: new CachedStatements(reader) }), ...queryLog(onQuery) });
  return {
    db,
    sqlite,
    sqliteReader: reader,
    reads,
    sqliteTurn: turn,
    pg: null,
    async close() {
      await checkpointer?.stop();
      reader.close();
      await db.destroy();
    },
  };
}

/** `schema`: where the migration bookkeeping tables live (PostgreSQL with a schema per deployment). */
export async function migrate(db: Db, schema: string | null = null): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticMigrations(), ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}
