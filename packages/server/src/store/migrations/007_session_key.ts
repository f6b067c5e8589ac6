import type { Kysely } from 'kysely';

/* The session key that proves a refresh token was really issued for its session (see auth/tokens.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('key_hash', 'varchar(128)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('key_hash').execute();
}
