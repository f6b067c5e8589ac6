import type { Kysely } from 'kysely';

/*
 * Limits that hold for the whole deployment (several nodes or workers on one PostgreSQL):
 * - `rate_buckets`: one token bucket per limited key, charged by every node (core/limits.ts).
 *   Besides the bucket itself (`tokens` at `at`), a row carries the last charge's request
 *   (`rate`, `burst`, `cost`, `want`) and answer (`granted`): an upsert's DO UPDATE and
 *   RETURNING see only table columns, so that is how one statement charges many keys and tells
 *   each caller its answer. `rate` and `burst` also let the sweep find idle full buckets alone.
 * - `presence.sockets`: how many sockets each node holds for a user, so the per-account socket
 *   cap counts every node's sockets.
 * Created on SQLite too (one schema for both dialects), where it stays empty.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_buckets')
    .addColumn('key', 'varchar(300)', (c) => c.primaryKey())
    .addColumn('tokens', 'double precision', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('rate', 'double precision', (c) => c.notNull())
    .addColumn('burst', 'double precision', (c) => c.notNull())
    .addColumn('cost', 'double precision', (c) => c.notNull())
    .addColumn('want', 'integer', (c) => c.notNull())
    .addColumn('granted', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .alterTable('presence')
    .addColumn('sockets', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('presence').dropColumn('sockets').execute();
  await db.schema.dropTable('rate_buckets').ifExists().execute();
}
