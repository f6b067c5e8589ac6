import type { Kysely } from 'kysely';

/*
 * nodes: one row per running Parley node, upserted by the node itself every ~10 s (admin/heartbeat.ts)
 * with what it alone knows: its sockets, signed-in users and messages in the last minute. The admin
 * console reads the cluster's figures from here; a row not refreshed for 30 s is a stale node.
 * A node that stops cleanly deletes its row; rows not seen for a day are swept by the others.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('nodes')
    .addColumn('name', 'varchar(160)', (c) => c.primaryKey())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .addColumn('sockets', 'integer', (c) => c.notNull())
    .addColumn('authenticated_sockets', 'integer', (c) => c.notNull())
    .addColumn('users', 'integer', (c) => c.notNull())
    .addColumn('messages_last_minute', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('nodes').ifExists().execute();
}
