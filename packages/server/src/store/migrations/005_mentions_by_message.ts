import type { Kysely } from 'kysely';

/*
 * Every message shown loads its mentions by message id, and edits and recalls delete them by
 * message id; without this index each of those read the whole mentions table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('mentions_message').on('mentions').columns(['message_id', 'user_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('mentions_message').execute();
}
