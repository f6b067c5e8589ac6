import { sql, type Kysely } from 'kysely';

/*
 * Invite links (auth/invites.ts): an invite may admit several people, can be revoked, and is
 * listed to admins without ever storing its code (only the code's hash, as before).
 * - invites.id: what admins see and revoke by; older rows take the start of their hash.
 * - invites.hint: the code's last four characters, so an admin can tell two links apart.
 * - invites.max_uses / uses: how many sign-ups it admits and has admitted (older rows: one).
 * - invites.revoked_at: set by a revoke; a revoked invite admits nobody.
 * - invite_uses: who signed up with which invite, and when (used_by/used_at keep the last one).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('invites').addColumn('id', 'varchar(43)').execute();
  await db.schema.alterTable('invites').addColumn('hint', 'varchar(8)').execute();
  await db.schema
    .alterTable('invites')
    .addColumn('max_uses', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('invites')
    .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('invites').addColumn('revoked_at', 'bigint').execute();
  await sql`update invites set id = substr(code_hash, 1, 26) where id is null`.execute(db);
  await sql`update invites set uses = 1 where used_by is not null`.execute(db);
  await db.schema.createIndex('invites_id').unique().on('invites').column('id').execute();
  await db.schema
    .createTable('invite_uses')
    .addColumn('invite_id', 'varchar(43)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('used_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('invite_uses_pk', ['invite_id', 'user_id'])
    .execute();
  await sql`insert into invite_uses (invite_id, user_id, used_at) select id, used_by, used_at from invites where used_by is not null and used_at is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('invite_uses').ifExists().execute();
  await db.schema.dropIndex('invites_id').ifExists().execute();
  for (const c of ['revoked_at', 'uses', 'max_uses', 'hint', 'id']) await db.schema.alterTable('invites').dropColumn(c).execute();
}
