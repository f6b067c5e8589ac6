import type { Kysely } from 'kysely';

/* Which node holds sockets of which user: presence shared by every node through the database. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('presence')
    .addColumn('node_id', 'varchar(160)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('away', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('presence_pk', ['node_id', 'user_id'])
    .execute();
  await db.schema.createIndex('presence_user').on('presence').columns(['user_id', 'updated_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('presence').ifExists().execute();
}
