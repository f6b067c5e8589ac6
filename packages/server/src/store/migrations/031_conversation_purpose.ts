import type { Kysely } from 'kysely';

/*
 * A conversation's purpose (issue 19): what it is for, set in its details panel; longer-lived
 * than the topic. Null when nobody set one (every existing conversation). Plain column, both
 * dialects: `varchar(512)` like the topic, the API caps it at 250 characters.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('purpose', 'varchar(512)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('purpose').execute();
}
