import { sql, type Kysely } from 'kysely';

/*
 * Notification levels and Do Not Disturb (issue 19).
 * - members.notify: what notifies the member here, `all`, `mentions` or `nothing`; null is the
 *   kind's default (`all` in DMs and groups, `mentions` in channels). It replaces `members.muted`
 *   (017): a muted member's level becomes `mentions`, and `membership.muted` is now "chose
 *   `mentions` or `nothing`".
 * - users.dnd_until: Do Not Disturb until then (ms), null when off; nothing notifies the user
 *   while it lasts, and it ends by itself.
 * - users.sounds: clients play a sound with a notification (1) or not (0).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('members').addColumn('notify', 'varchar(16)').execute();
  await sql`UPDATE members SET notify = 'mentions' WHERE muted = 1`.execute(db);
  await db.schema.alterTable('members').dropColumn('muted').execute();
  await db.schema.alterTable('users').addColumn('dnd_until', 'bigint').execute();
  await db.schema
    .alterTable('users')
    .addColumn('sounds', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('sounds').execute();
  await db.schema.alterTable('users').dropColumn('dnd_until').execute();
  await db.schema
    .alterTable('members')
    .addColumn('muted', 'smallint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`UPDATE members SET muted = 1 WHERE notify IN ('mentions', 'nothing')`.execute(db);
  await db.schema.alterTable('members').dropColumn('notify').execute();
}
