import type { Kysely } from 'kysely';

/*
 * Receivers whose sender proves itself with a key the sender made (Sentry's client secret) keep
 * that key; Alertmanager and Grafana hooks may also want HTTP basic auth (`user:hash`). A
 * thing's thread keeps what its latest state change still has to post (`pending`) until it is
 * posted, so a crash or a refused post between the two loses no reply.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incoming_webhooks').addColumn('verify_secret', 'varchar(256)').execute();
  await db.schema.alterTable('incoming_webhooks').addColumn('basic_auth', 'varchar(256)').execute();
  await db.schema.alterTable('integration_threads').addColumn('pending', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integration_threads').dropColumn('pending').execute();
  await db.schema.alterTable('incoming_webhooks').dropColumn('basic_auth').execute();
  await db.schema.alterTable('incoming_webhooks').dropColumn('verify_secret').execute();
}
