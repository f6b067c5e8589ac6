import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * What every request re-reads to judge the caller as the account is now (a session or token,
 * its user, a bot's owner: auth/service.ts and api-tokens.ts), the embedded database counts
 * changes to: any insert or delete of those rows, or update of a column that check reads, bumps
 * `auth_epoch.n` in the same transaction, whoever writes. While it stands still a row read
 * before is still the answer (store/keyed-reader.ts, `epochKeyedReader`), so a stream of socket
 * requests skips the three-table read (~16 µs each under load, 8 % of the event loop at 8,000
 * DMs/s, profiled). `api_tokens.last_used_at` is left out: it changes once a minute per token and
 * only the uncached read at authentication looks at it.
 *
 * PostgreSQL has no such table: its reads of one turn already share one query (TurnLoader).
 */
const WATCHED: Record<string, string[]> = {
  users: ['id', 'role', 'deactivated_at', 'bot_owner_id'],
  sessions: ['id', 'user_id', 'revoked_at', 'expires_at'],
  api_tokens: ['id', 'user_id', 'secret_hash', 'revoked_at'],
};

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  await sql`CREATE TABLE auth_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)`.execute(db);
  await sql`INSERT INTO auth_epoch (id, n) VALUES (1, 0)`.execute(db);
  for (const [table, columns] of Object.entries(WATCHED)) {
    const bump = 'BEGIN UPDATE auth_epoch SET n = n + 1; END';
    await sql.raw(`CREATE TRIGGER ${table}_auth_epoch_insert AFTER INSERT ON ${table} ${bump}`).execute(db);
    await sql.raw(`CREATE TRIGGER ${table}_auth_epoch_delete AFTER DELETE ON ${table} ${bump}`).execute(db);
    await sql.raw(`CREATE TRIGGER ${table}_auth_epoch_update AFTER UPDATE OF ${columns.join(', ')} ON ${table} ${bump}`).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  for (const table of Object.keys(WATCHED)) {
    for (const op of ['insert', 'delete', 'update']) await sql.raw(`DROP TRIGGER IF EXISTS ${table}_auth_epoch_${op}`).execute(db);
  }
  await sql`DROP TABLE IF EXISTS auth_epoch`.execute(db);
}
