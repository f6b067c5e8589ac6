import type { Kysely } from 'kysely';

/*
 * Pins and saved messages (pins/).
 * - message_pins: one row per pin, kept after its unpin (`unpin_seq` set) so a member who left
 *   sees the pins as they were when they left. `pin_seq` and `unpin_seq` are the seqs of the
 *   `message.pinned` log events; `seq` is the message's own (for the member's visible range).
 *   A message has at most one row with `unpin_seq` null (its pin now). A recall or a burn deletes
 *   every row of the message.
 * - saved_messages: a user's private bookmarks; no log event. A recall or a burn deletes the rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('message_pins')
    .addColumn('message_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('conv_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('pinned_by', 'varchar(26)', (c) => c.notNull())
    .addColumn('pinned_at', 'bigint', (c) => c.notNull())
    .addColumn('pin_seq', 'bigint', (c) => c.notNull())
    .addColumn('unpin_seq', 'bigint')
    .addPrimaryKeyConstraint('message_pins_pk', ['message_id', 'pin_seq'])
    .execute();
  await db.schema.createIndex('message_pins_conv').on('message_pins').columns(['conv_id', 'pin_seq']).execute();
  await db.schema
    .createTable('saved_messages')
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('message_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('saved_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('saved_messages_pk', ['user_id', 'message_id'])
    .execute();
  await db.schema.createIndex('saved_messages_user_at').on('saved_messages').columns(['user_id', 'saved_at', 'message_id']).execute();
  await db.schema.createIndex('saved_messages_message').on('saved_messages').column('message_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('saved_messages').ifExists().execute();
  await db.schema.dropTable('message_pins').ifExists().execute();
}
