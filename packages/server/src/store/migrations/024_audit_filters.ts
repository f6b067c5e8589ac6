import type { Kysely } from 'kysely';

/*
 * The audit log is read newest first (by id), filtered by who acted or by action: "what did this
 * admin do", "every failed sign-in". Without these indexes each such page scanned the log from its
 * newest entry until it had found enough matches, which for a rare action is the whole table. A
 * time filter uses audit_created (001). An action prefix (`auth.`) is a LIKE that neither
 * dialect serves from an index as written; it walks the id order, and prefixes name the common
 * families of actions, so a page fills quickly.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('audit_actor').on('audit_log').columns(['actor_id', 'id']).execute();
  await db.schema.createIndex('audit_action').on('audit_log').columns(['action', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('audit_action').ifExists().execute();
  await db.schema.dropIndex('audit_actor').ifExists().execute();
}
