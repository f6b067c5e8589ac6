import { sql, type Kysely } from 'kysely';

/*
 * Retention policies (issue 20, messages/retention.ts).
 * - conversations.retention_days: the conversation's own policy in days; null (every existing
 *   conversation) follows the workspace's `retention_days` setting.
 * - messages.expired_at: when the retention sweeper erased the message. An expired row keeps its
 *   place (seq, thread links) with its content gone, like a recall's tombstone, but no read path
 *   serves it any more.
 * The partial index is the sweeper's queue: per conversation, the messages not yet expired, by seq
 * (what expires is always such a prefix).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('retention_days', 'integer').execute();
  await db.schema.alterTable('messages').addColumn('expired_at', 'bigint').execute();
  await db.schema.createIndex('messages_unexpired').on('messages').columns(['conv_id', 'seq']).where(sql.ref('expired_at'), 'is', null).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_unexpired').ifExists().execute();
  await db.schema.alterTable('messages').dropColumn('expired_at').execute();
  await db.schema.alterTable('conversations').dropColumn('retention_days').execute();
}
