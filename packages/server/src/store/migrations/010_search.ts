import { PostgresAdapter, sql, type Kysely } from 'kysely';

/*
 * Search (issue 13). `search_docs` is one row per searchable message (never a recalled one):
 * where it is (conversation, seq) for the history rule, who sent it and when for filters, and
 * `flags` for has:file/link/code/image. The terms themselves (search/terms.ts) live
 *
 * - on SQLite in the FTS5 table `search_fts`, contentless (the text is in `messages` already),
 *   its rowid the doc's `doc_id`. `doc_id` is derived from the send time (ms × 1024 + n), so
 *   walking the index by rowid downwards is walking newest first, also for messages indexed
 *   later by the backfill, and a VACUUM cannot renumber it (an implicit rowid it could);
 * - on PostgreSQL in the `terms` tsvector, under a GIN index.
 *
 * `search_state` keeps the backfill's cursor, so indexing existing messages resumes where a
 * restart stopped it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const t = db.schema
    .createTable('search_docs')
    // On SQLite an INTEGER PRIMARY KEY is the rowid itself: no second index to keep.
    .addColumn('doc_id', pg ? 'bigint' : 'integer', (c) => c.primaryKey())
    .addColumn('message_id', 'varchar(26)', (c) => c.notNull().unique())
    .addColumn('conv_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('sender_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('flags', 'integer', (c) => c.notNull());
  if (pg) {
    await t.addColumn('terms', sql`tsvector`, (c) => c.notNull()).execute();
    await db.schema.createIndex('search_docs_conv').on('search_docs').columns(['conv_id', 'doc_id']).execute();
    await db.schema.createIndex('search_docs_sender').on('search_docs').columns(['sender_id', 'doc_id']).execute();
    await sql`CREATE INDEX search_docs_terms ON search_docs USING gin (terms)`.execute(db);
  } else {
    // The index itself lives in its own file (search/sqlite-index-file.ts); here only the queue
    // of messages to index, in the order they were queued: sends, edits and recalls add to it
    // in their own transactions, the index worker follows it.
    await sql`CREATE TABLE search_queue (pos INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL)`.execute(db);
  }
  await db.schema
    .createTable('search_state')
    .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  // PostgreSQL: messages up to this id were stored before search; the backfill (search/backfill.ts)
  // indexes them. (SQLite queues them all when it creates the index file.)
  if (pg) await sql`INSERT INTO search_state (key, value) SELECT 'backfill_until', max(id) FROM messages HAVING count(*) > 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('search_state').ifExists().execute();
  await db.schema.dropTable('search_queue').ifExists().execute();
  await db.schema.dropTable('search_docs').ifExists().execute();
}
