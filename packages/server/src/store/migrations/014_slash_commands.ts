import { sql, type Kysely } from 'kysely';

/*
 * Custom slash commands (issue 15): workspace-wide `/name` → an HTTP endpoint speaking Slack's
 * slash-command fields. Each call is an invocation whose secret `response_url` takes up to five
 * delayed answers within 30 minutes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('slash_commands')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('command', 'varchar(32)', (c) => c.notNull())
    .addColumn('bot_user_id', 'varchar(26)', (c) => c.notNull().references('users.id'))
    .addColumn('url', 'varchar(2048)', (c) => c.notNull())
    .addColumn('description', 'varchar(200)', (c) => c.notNull())
    .addColumn('usage_hint', 'varchar(100)', (c) => c.notNull())
    // Kept in the clear: signing needs it.
    .addColumn('secret', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(26)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  // One live command per name; a revoked name can be taken again.
  await db.schema.createIndex('slash_commands_live_name').on('slash_commands').column('command').unique().where(sql.ref('revoked_at'), 'is', null).execute();
  await db.schema
    .createTable('command_invocations')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('command_id', 'varchar(26)', (c) => c.notNull().references('slash_commands.id'))
    .addColumn('conv_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('thread_root_id', 'varchar(26)')
    .addColumn('secret_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('uses', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('command_invocations_age').on('command_invocations').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('command_invocations').ifExists().execute();
  await db.schema.dropTable('slash_commands').ifExists().execute();
}
