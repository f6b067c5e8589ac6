import type { Kysely } from 'kysely';

/*
 * Message trace (trace/): where a message went, for operators. None of it holds content.
 * - message_traces: one row per message, written in the send's own transaction (accepted, batch,
 *   node). Swept by age and count (PARLEY_TRACE_RETENTION, PARLEY_TRACE_MAX_ROWS), by id range.
 * - trace_batches: one row per group-commit batch (a ULID made when it went out), written after
 *   it committed and published (those times are only known then), a few at a time.
 * - trace_acks: each device's delivery and read cursor moves per conversation (acks are already
 *   one per conversation per moment); a message's delivery to a device is the first move that
 *   covers its seq. Never a row per message per device.
 * - trace_devices: per session, the node holding its socket, how many, and when it was last seen.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('message_traces')
    .addColumn('message_id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('conv_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('sender_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('session_id', 'varchar(64)')
    .addColumn('accepted_at', 'bigint', (c) => c.notNull())
    .addColumn('written_at', 'bigint', (c) => c.notNull())
    .addColumn('batch_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('batch_size', 'integer', (c) => c.notNull())
    .addColumn('node_id', 'varchar(160)', (c) => c.notNull())
    .execute();
  // No index on the times: the ids are ULIDs, so the sweeper deletes by id range (one index fewer
  // for every send to update).
  await db.schema
    .createTable('trace_batches')
    .addColumn('batch_id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('node_id', 'varchar(160)', (c) => c.notNull())
    .addColumn('committed_at', 'bigint', (c) => c.notNull())
    .addColumn('published_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('trace_acks')
    .addColumn('conv_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('session_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('node_id', 'varchar(160)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('trace_acks_conv_seq').on('trace_acks').columns(['conv_id', 'seq']).execute();
  await db.schema.createIndex('trace_acks_at').on('trace_acks').columns(['at']).execute();
  await db.schema
    .createTable('trace_devices')
    .addColumn('session_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('node_id', 'varchar(160)', (c) => c.notNull())
    .addColumn('sockets', 'integer', (c) => c.notNull())
    .addColumn('connected_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('trace_devices_seen').on('trace_devices').columns(['last_seen_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('trace_devices').ifExists().execute();
  await db.schema.dropTable('trace_acks').ifExists().execute();
  await db.schema.dropTable('trace_batches').ifExists().execute();
  await db.schema.dropTable('message_traces').ifExists().execute();
}
