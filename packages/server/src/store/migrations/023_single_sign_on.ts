import { PostgresAdapter, sql, type Kysely } from 'kysely';

/*
 * Single sign-on (OpenID Connect). `sso_identities` links an identity provider's account
 * (issuer + subject, never the email, which can change hands) to a Parley user. `sso_flows` is a
 * sign-in in progress between the redirect to the provider and its answer: the PKCE verifier,
 * the nonce and the hash of the state, bound to the browser that started it (the hash of a
 * cookie) and kept in the database so any node can take the answer. `sso_grants` is the
 * single-use, short-lived code the callback hands the web app (in the URL fragment) to exchange
 * for a session. `users.email` is set by admins: the address single sign-on may link by, when
 * the provider says it verified it. `workspace_settings` holds what admins change at run time.
 * `sessions.enrol_2fa` marks a session that may do nothing but turn two-factor sign-in on (the
 * workspace requires it); the auth check reads it, so on SQLite its changes bump `auth_epoch`
 * like the other columns that check reads (migration 011).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('email', 'varchar(254)').execute();
  await db.schema.createIndex('users_email').on('users').column('email').unique().execute();
  await db.schema
    .createTable('sso_identities')
    .addColumn('issuer', 'varchar(512)', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id'))
    .addColumn('email', 'varchar(254)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_login_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sso_identities_pk', ['issuer', 'subject'])
    .execute();
  await db.schema.createIndex('sso_identities_user').on('sso_identities').column('user_id').execute();
  await db.schema
    .createTable('sso_flows')
    .addColumn('state_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('browser_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('nonce', 'varchar(128)', (c) => c.notNull())
    .addColumn('verifier', 'varchar(128)', (c) => c.notNull())
    .addColumn('return_to', 'varchar(512)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sso_grants')
    .addColumn('code_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('workspace_settings')
    .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'varchar(26)')
    .execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('enrol_2fa', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    await sql`DROP TRIGGER sessions_auth_epoch_update`.execute(db);
    await sql`CREATE TRIGGER sessions_auth_epoch_update AFTER UPDATE OF id, user_id, revoked_at, expires_at, enrol_2fa ON sessions BEGIN UPDATE auth_epoch SET n = n + 1; END`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    await sql`DROP TRIGGER sessions_auth_epoch_update`.execute(db);
    await sql`CREATE TRIGGER sessions_auth_epoch_update AFTER UPDATE OF id, user_id, revoked_at, expires_at ON sessions BEGIN UPDATE auth_epoch SET n = n + 1; END`.execute(db);
  }
  await db.schema.alterTable('sessions').dropColumn('enrol_2fa').execute();
  await db.schema.dropTable('workspace_settings').ifExists().execute();
  await db.schema.dropTable('sso_grants').ifExists().execute();
  await db.schema.dropTable('sso_flows').ifExists().execute();
  await db.schema.dropTable('sso_identities').ifExists().execute();
  await db.schema.dropIndex('users_email').ifExists().execute();
  await db.schema.alterTable('users').dropColumn('email').execute();
}
