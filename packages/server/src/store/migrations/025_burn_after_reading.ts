import { sql, type Kysely } from 'kysely';

/*
 * Burn after reading (messages/burn.ts).
 * - messages.burn_after_ms: set for a burn message, how long each recipient may see it once
 *   revealed; burn_expires_at: the absolute cap; burns_at: when the sweeper burns it for everyone
 *   (the cap, brought forward once every recipient's own timer is known); burned_at: when it burned.
 * - burn_reveals: one row per recipient who revealed it, with their own end. The rows go with
 *   the burn: who read a burned message is not kept either.
 * The partial index is the sweeper's queue: only burn messages not yet burned are in it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('burn_after_ms', 'bigint').execute();
  await db.schema.alterTable('messages').addColumn('burn_expires_at', 'bigint').execute();
  await db.schema.alterTable('messages').addColumn('burns_at', 'bigint').execute();
  await db.schema.alterTable('messages').addColumn('burned_at', 'bigint').execute();
  await db.schema.createIndex('messages_burns_at').on('messages').column('burns_at').where(sql.ref('burns_at'), 'is not', null).execute();
  await db.schema
    .createTable('burn_reveals')
    .addColumn('message_id', 'varchar(26)', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('revealed_at', 'bigint', (c) => c.notNull())
    .addColumn('burns_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('burn_reveals_pk', ['message_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('burn_reveals').ifExists().execute();
  await db.schema.dropIndex('messages_burns_at').ifExists().execute();
  for (const c of ['burned_at', 'burns_at', 'burn_expires_at', 'burn_after_ms']) await db.schema.alterTable('messages').dropColumn(c).execute();
}
