import type { Kysely } from 'kysely';

/*
 * Reminders (issue 15, `/remind`): due ones are posted by the Parley bot in a DM with their
 * owner. `next_at` is the due time and, while a node posts one, that claim's expiry.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reminders')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id'))
    .addColumn('conv_id', 'varchar(26)')
    .addColumn('text', 'varchar(1000)', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('next_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('fired_at', 'bigint')
    .execute();
  await db.schema.createIndex('reminders_due').on('reminders').columns(['fired_at', 'next_at']).execute();
  await db.schema.createIndex('reminders_by_user').on('reminders').columns(['user_id', 'fired_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('reminders').ifExists().execute();
}
