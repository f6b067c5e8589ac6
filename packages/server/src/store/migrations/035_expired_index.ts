import { sql, type Kysely } from 'kysely';

/*
 * 034's partial index held every message not yet expired: every send wrote one more random-order
 * B-tree entry (it duplicated (conv_id, seq) for all live messages), one of four such entries a
 * send wrote. Measured on `npm run bench -- dm --clients 1000`: dropping it gave +8 % messages/s
 * and -7 % server CPU per message on SQLite (fewer WAL pages per commit).
 *
 * The sweeper only needs where the expired prefix of a conversation ends (messages/retention.ts),
 * so the index now holds the expired messages instead: a send never writes to it, the sweeper
 * finds the prefix's end in one seek and walks (conv_id, seq) from there.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_unexpired').ifExists().execute();
  await db.schema.createIndex('messages_expired').on('messages').columns(['conv_id', 'seq']).where(sql.ref('expired_at'), 'is not', null).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_expired').ifExists().execute();
  await db.schema.createIndex('messages_unexpired').on('messages').columns(['conv_id', 'seq']).where(sql.ref('expired_at'), 'is', null).execute();
}
