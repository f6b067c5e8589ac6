import type { Kysely } from 'kysely';

/* `/mute` (issue 15): a member's own choice to hear nothing from a conversation but mentions. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('members')
    .addColumn('muted', 'smallint', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('members').dropColumn('muted').execute();
}
