import type { Kysely } from 'kysely';

/*
 * Message tags (`#bug` in a body, `/tag bug` on a message, a receiver's `#alert`), stored as rows
 * so a conversation's tags can be counted and its history and search filtered by one.
 * `added_by` is null for tags read from the body (an edit re-reads them) and the user for tags
 * added to a message afterwards (an edit keeps them).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('message_tags')
    .addColumn('message_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('conv_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('tag', 'varchar(64)', (c) => c.notNull())
    .addColumn('added_by', 'varchar(26)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_tags_pk', ['message_id', 'tag'])
    .execute();
  await db.schema.createIndex('message_tags_conv_tag').on('message_tags').columns(['conv_id', 'tag', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('message_tags').ifExists().execute();
}
