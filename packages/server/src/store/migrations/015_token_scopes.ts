import { sql, type Kysely } from 'kysely';

/* API token scopes (issue 15): tokens made before keep every permission they had. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('api_tokens')
    .addColumn('scopes', 'varchar(128)', (c) => c.notNull().defaultTo(sql.lit('["read","post","manage_webhooks"]')))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_tokens').dropColumn('scopes').execute();
}
