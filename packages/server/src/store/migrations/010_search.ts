import { PostgresAdapter, sql, type Kysely } from 'kysely';

/*
 * Search (issue 13); the design is in docs/decisions/0005.
 *
 * - PostgreSQL: `search_docs`, one row per searchable message (never a recalled one): where it
 *   is (conversation, seq) for the history rule, sender, time and has: flags for filters, and
 *   the terms (search/terms.ts) as a `tsvector` under a GIN index. `doc_id` is the send time in
 *   ms × 1024 plus a slot, so ordering by it is newest first, also for messages indexed later.
 *   `search_state` keeps the backfill's cursor over messages stored before search.
 * - SQLite: only `search_queue` here; the index itself is the file `DATA_DIR/search.db`
 *   (search/sqlite-index-file.ts), written by a worker thread that follows the queue.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (pg) {
    await db.schema
      .createTable('search_docs')
      .addColumn('doc_id', 'bigint', (c) => c.primaryKey())
      .addColumn('message_id', 'varchar(26)', (c) => c.notNull().unique())
      .addColumn('conv_id', 'varchar(26)', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('sender_id', 'varchar(26)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('flags', 'integer', (c) => c.notNull())
      .addColumn('terms', sql`tsvector`, (c) => c.notNull())
      .execute();
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
