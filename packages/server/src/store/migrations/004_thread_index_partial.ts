import { sql, type Kysely } from 'kysely';

/*
 * The thread index covered every message, with NULL thread roots for all top-level ones; for
 * "top-level messages of conversation C after seq S" (conversation list, unread counts) SQLite
 * chose it over (conv_id, seq) and walked every top-level message of every conversation: O(all
 * messages) per conversation listed (measured: 10,000 reconnecting clients took 66 s to resync).
 * Only replies belong in it; `thread_root_id = ?` lookups still use it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_thread').execute();
  await db.schema.createIndex('messages_thread').on('messages').columns(['thread_root_id', 'seq']).where(sql.ref('thread_root_id'), 'is not', null).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_thread').execute();
  await db.schema.createIndex('messages_thread').on('messages').columns(['thread_root_id', 'seq']).execute();
}
