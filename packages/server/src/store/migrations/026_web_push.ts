import type { Kysely } from 'kysely';

/*
 * Web Push (push/).
 * - server_keys: keys the server makes once and every node shares (the VAPID key pair, as JSON).
 * - push_subscriptions: one per browser that subscribed, tied to the device session that made it
 *   (signing out or revoking the session removes it); the endpoint is unique, a browser that
 *   subscribes again replaces its row.
 * - users.push_previews: message text in that user's notifications (1) or only who wrote where (0).
 * - push_cursors: how far each conversation's log was turned into deliveries (as outgoing
 *   webhooks' cursors): the scan moves a cursor in the transaction that inserts its deliveries.
 * - push_deliveries: the outbox. It names the message, not its text: the payload is built when it
 *   is sent, so a message recalled or burned meanwhile is never sent.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('server_keys')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('push_subscriptions')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('session_id', 'varchar(26)')
    .addColumn('endpoint', 'varchar(2048)', (c) => c.notNull().unique())
    .addColumn('p256dh', 'varchar(128)', (c) => c.notNull())
    .addColumn('auth', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_sent_at', 'bigint')
    .execute();
  await db.schema.createIndex('push_subscriptions_user').on('push_subscriptions').column('user_id').execute();
  await db.schema
    .alterTable('users')
    .addColumn('push_previews', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createTable('push_cursors')
    .addColumn('conv_id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('push_deliveries')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('subscription_id', 'varchar(26)', (c) => c.notNull().references('push_subscriptions.id').onDelete('cascade'))
    .addColumn('message_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('mention', 'integer', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('push_deliveries_due').on('push_deliveries').column('next_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('push_deliveries').ifExists().execute();
  await db.schema.dropTable('push_cursors').ifExists().execute();
  await db.schema.alterTable('users').dropColumn('push_previews').execute();
  await db.schema.dropTable('push_subscriptions').ifExists().execute();
  await db.schema.dropTable('server_keys').ifExists().execute();
}
