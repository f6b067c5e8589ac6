import type { Kysely } from 'kysely';

/* Incoming webhooks: a secret URL per hook that posts into one conversation as the hook's bot. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incoming_webhooks')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('conv_id', 'varchar(26)', (c) => c.notNull().references('conversations.id'))
    .addColumn('bot_user_id', 'varchar(26)', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('icon_url', 'varchar(2048)')
    .addColumn('secret_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(26)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('incoming_webhooks_conv').on('incoming_webhooks').column('conv_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('incoming_webhooks').ifExists().execute();
}
