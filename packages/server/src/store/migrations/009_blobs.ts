import { sql, type Kysely } from 'kysely';

/*
 * Files (issue 12): one row per stored blob, so bytes are deleted once no upload references them
 * (files/collector.ts). `last_used_at` is when an upload last claimed the blob (completion
 * touches it before it puts or reuses the bytes); the collector leaves a blob touched within the
 * grace period alone, which is what keeps a dedupe racing with the collector from losing bytes.
 * `size` is null for thumbnails backfilled here (their size was never recorded).
 *
 * Recalled messages carried their uploads' rows until now; a recall now deletes them (the files
 * were already unreadable), so the rows of messages recalled before this migration go too, after
 * their blobs were recorded: the collector then deletes those bytes and the quota comes back.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('blobs')
    .addColumn('sha256', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('size', 'bigint')
    .addColumn('last_used_at', 'bigint', (c) => c.notNull())
    .execute();
  // The collector asks, per blob, whether any upload still references it, as file or thumbnail.
  await db.schema.createIndex('uploads_by_sha256').on('uploads').column('sha256').execute();
  await db.schema.createIndex('uploads_by_thumb').on('uploads').column('thumb_sha256').execute();
  await db.schema.createIndex('blobs_by_last_use').on('blobs').column('last_used_at').execute();

  await sql`INSERT INTO blobs (sha256, size, last_used_at)
            SELECT sha256, MAX(size), MAX(COALESCE(completed_at, created_at)) FROM uploads
            WHERE sha256 IS NOT NULL GROUP BY sha256`.execute(db);
  await sql`INSERT INTO blobs (sha256, size, last_used_at)
            SELECT thumb_sha256, NULL, MAX(COALESCE(completed_at, created_at)) FROM uploads
            WHERE thumb_sha256 IS NOT NULL AND thumb_sha256 NOT IN (SELECT sha256 FROM blobs) GROUP BY thumb_sha256`.execute(db);
  await sql`DELETE FROM uploads WHERE message_id IN (SELECT id FROM messages WHERE recalled_at IS NOT NULL)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('uploads_by_thumb').execute();
  await db.schema.dropIndex('uploads_by_sha256').execute();
  await db.schema.dropTable('blobs').execute();
}
