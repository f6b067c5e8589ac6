import type { Kysely } from 'kysely';

/*
 * Developer-tool receivers (issue 16): an incoming webhook has a `kind` (what it accepts:
 * Slack's payload, Alertmanager's…), and the things they report on (an alert group, a pull
 * request) each keep one thread: its root message and what has been said so far, by a hash of
 * the thing's key. `version` orders concurrent notifications about the same thing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('incoming_webhooks')
    .addColumn('kind', 'varchar(16)', (c) => c.notNull().defaultTo('slack'))
    .execute();
  await db.schema
    .createTable('integration_threads')
    .addColumn('hook_id', 'varchar(26)', (c) => c.notNull().references('incoming_webhooks.id'))
    .addColumn('key_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('root_message_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('integration_threads_pk', ['hook_id', 'key_hash'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('integration_threads').ifExists().execute();
  await db.schema.alterTable('incoming_webhooks').dropColumn('kind').execute();
}
