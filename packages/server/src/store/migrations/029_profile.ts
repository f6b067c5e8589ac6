import type { Kysely } from 'kysely';

/*
 * Profiles (issue 19, users/).
 * - users.status_emoji: one emoji (or `:shortcode:`) shown with status_text.
 * - users.status_expires_at: when the status (text and emoji) clears itself (ms), null when it
 *   stays; the expiry sweeper (users/status-expiry.ts) finds due ones by the index.
 * - users.time_zone: an IANA name, for the local time on a profile card.
 * - users.avatar_sha256: the uploaded avatar's blob (256×256 WebP); avatar_url then holds its
 *   same-origin path. The blob collector keeps a blob any user's avatar references.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('status_emoji', 'varchar(64)').execute();
  await db.schema.alterTable('users').addColumn('status_expires_at', 'bigint').execute();
  await db.schema.alterTable('users').addColumn('time_zone', 'varchar(64)').execute();
  await db.schema.alterTable('users').addColumn('avatar_sha256', 'varchar(64)').execute();
  await db.schema.createIndex('users_status_expires').on('users').column('status_expires_at').execute();
  await db.schema.createIndex('users_avatar_sha256').on('users').column('avatar_sha256').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('users_avatar_sha256').ifExists().execute();
  await db.schema.dropIndex('users_status_expires').ifExists().execute();
  await db.schema.alterTable('users').dropColumn('avatar_sha256').execute();
  await db.schema.alterTable('users').dropColumn('time_zone').execute();
  await db.schema.alterTable('users').dropColumn('status_expires_at').execute();
  await db.schema.alterTable('users').dropColumn('status_emoji').execute();
}
