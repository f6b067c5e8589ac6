import type { Kysely } from 'kysely';

/*
 * Two-factor sign-in (TOTP, RFC 6238). `two_factor` holds a user's authenticator secret: pending
 * until the first code confirms it, then enabled; `last_step` is the time step of the last code
 * accepted, so a code cannot be used twice. Recovery codes are kept as hashes, each usable once.
 * A sign-in challenge is the short-lived, single-use link between a right password and its
 * second step (only its hash is kept).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('two_factor')
    .addColumn('user_id', 'varchar(26)', (c) => c.primaryKey().references('users.id'))
    .addColumn('secret', 'varchar(128)')
    .addColumn('pending_secret', 'varchar(128)')
    .addColumn('enabled_at', 'bigint')
    .addColumn('last_step', 'bigint')
    .execute();
  await db.schema
    .createTable('recovery_codes')
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id'))
    .addColumn('code_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addPrimaryKeyConstraint('recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();
  await db.schema
    .createTable('mfa_challenges')
    .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id'))
    .addColumn('device_name', 'varchar(128)')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('mfa_challenges').ifExists().execute();
  await db.schema.dropTable('recovery_codes').ifExists().execute();
  await db.schema.dropTable('two_factor').ifExists().execute();
}
