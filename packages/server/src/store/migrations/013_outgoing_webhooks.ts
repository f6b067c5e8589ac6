import type { Kysely } from 'kysely';

/*
 * Outgoing webhooks (issue 15): a receiver URL per hook, told about a conversation's events.
 * `cursor_seq` is how far into the conversation's log the hook has been looked at; the
 * dispatcher turns the events after it into `webhook_deliveries` rows and moves the cursor in one
 * transaction, so an event becomes exactly one delivery however many nodes scan. The outbox
 * rows then carry every attempt: `next_at` is both the retry time and, while an attempt runs,
 * the claim's expiry (a node that dies mid-attempt leaves a row another node picks up).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outgoing_webhooks')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('conv_id', 'varchar(26)', (c) => c.notNull().references('conversations.id'))
    .addColumn('bot_user_id', 'varchar(26)', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('url', 'varchar(2048)', (c) => c.notNull())
    // JSON arrays: the event kinds and the trigger words it wants.
    .addColumn('events', 'varchar(256)', (c) => c.notNull())
    .addColumn('trigger_words', 'varchar(2048)', (c) => c.notNull())
    .addColumn('format', 'varchar(16)', (c) => c.notNull())
    // Kept in the clear: signing needs it (as Slack's signing secret).
    .addColumn('secret', 'varchar(128)', (c) => c.notNull())
    .addColumn('cursor_seq', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'varchar(26)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('outgoing_webhooks_conv').on('outgoing_webhooks').column('conv_id').execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('hook_id', 'varchar(26)', (c) => c.notNull().references('outgoing_webhooks.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('event_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_at', 'bigint', (c) => c.notNull())
    .addColumn('retry_until', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('delivered_at', 'bigint')
    .addColumn('status_code', 'integer')
    .addColumn('error', 'varchar(512)')
    .addColumn('latency_ms', 'integer')
    // One delivery per event per hook, whichever node turned it into one.
    .addUniqueConstraint('webhook_deliveries_once', ['hook_id', 'seq'])
    .execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['state', 'next_at']).execute();
  await db.schema.createIndex('webhook_deliveries_by_hook').on('webhook_deliveries').columns(['hook_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').ifExists().execute();
  await db.schema.dropTable('outgoing_webhooks').ifExists().execute();
}
