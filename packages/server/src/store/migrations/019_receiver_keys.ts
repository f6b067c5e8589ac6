import type { Kysely } from 'kysely';

/*
 * Receivers whose sender proves itself with a key the sender made (Sentry's client secret) keep
 * that key; Alertmanager and Grafana hooks may also want HTTP basic auth (`user:hash`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incoming_webhooks').addColumn('verify_secret', 'varchar(256)').execute();
  await db.schema.alterTable('incoming_webhooks').addColumn('basic_auth', 'varchar(256)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incoming_webhooks').dropColumn('basic_auth').execute();
  await db.schema.alterTable('incoming_webhooks').dropColumn('verify_secret').execute();
}
