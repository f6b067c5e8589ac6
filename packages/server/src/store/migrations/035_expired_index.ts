import { sql, type Kysely } from 'kysely';

/*
 * 034's partial index held every message not yet expired: a second copy of (conv_id, seq) for all
 * live messages, so every send wrote one more random-order B-tree entry (one of four it wrote).
 * On `npm run bench -- dm --clients 1000` dropping it gave +6 % messages/s on SQLite at
 * saturation (fewer WAL pages per commit; docs/performance.md).
 *
 * What expires is a prefix by seq, so the live messages of a conversation are those after its last
 * expired seq. The index now holds the expired messages instead: a send never writes to it, and
 * the sweeper and every read that leaves expired messages out find that seq in one seek
 * (messages/live-range.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_unexpired').ifExists().execute();
  await db.schema.createIndex('messages_expired').on('messages').columns(['conv_id', 'seq']).where(sql.ref('expired_at'), 'is not', null).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_expired').ifExists().execute();
  await db.schema.createIndex('messages_unexpired').on('messages').columns(['conv_id', 'seq']).where(sql.ref('expired_at'), 'is', null).execute();
}
