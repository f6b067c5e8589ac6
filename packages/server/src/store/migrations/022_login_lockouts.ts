import type { Kysely } from 'kysely';

/*
 * Growing sign-in lockouts (auth/lockouts.ts), one row per key: `account:<lower-case username>`
 * or `ip:<address>`. In the database, not in memory, so a lockout holds for every worker and
 * node sharing it and survives a restart.
 * - `failures`: attempts of the current window that did not succeed, including those still being
 *   checked (an attempt is charged before its password is checked and given back if right);
 * - `window_started_at`: when the current window's first attempt came; the window's failures are
 *   forgotten once it is over;
 * - `level`: lockouts so far (each one twice as long as the last, up to a cap), forgotten after
 *   a quiet period; `locked_until`: the current lockout's end, null when not locked;
 * - `last_failure_at`: the last failed attempt, what the quiet period is measured from.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('login_lockouts')
    .addColumn('key', 'varchar(300)', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('window_started_at', 'bigint', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'bigint')
    .addColumn('last_failure_at', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('login_lockouts').ifExists().execute();
}
