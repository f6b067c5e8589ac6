import pg from 'pg';
import { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from './schema.js';
import { migrate, queryLog, type OpenedDb, type QueryObserver } from './db.js';
import { StoragePool } from './pg-pool.js';
import { ScopedPostgresDialect } from './pg-introspector.js';

// bigint columns (times in ms, seqs) and COUNT(*) arrive as strings by default; every value we
// store fits in a double exactly (< 2^53), so parse them as numbers once, here.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * Opens PostgreSQL (`DATABASE_URL`) and runs pending migrations (Kysely's migrator takes a lock,
 * so nodes starting together migrate once). `schema` isolates a deployment or a test run.
 */
export async function openPostgres(url: string, schema: string | null, poolSize: number, log: Logger, onQuery?: QueryObserver): Promise<OpenedDb> {
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`PARLEY_PG_SCHEMA "${schema}" must be a lower-case SQL identifier`);
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new StoragePool(
    {
      connectionString: url,
      max: poolSize,
      // Fail fast when the database is unreachable: a send must get `unavailable`, not hang.
      connectionTimeoutMillis: 3_000,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    },
    log,
    'database',
  );
  const db = new Kysely<Database>({ dialect: new ScopedPostgresDialect({ pool }, schema), ...queryLog(onQuery) });
  await migrate(db, schema);
  return {
    db,
    sqlite: null,
    reads: db,
    sqliteReader: null,
    sqliteTurn: null,
    pg: pool,
    async close() {
      await db.destroy();
    },
  };
}
