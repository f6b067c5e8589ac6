import type { Kysely } from 'kysely';

/*
 * Files (issue 12): one row per tus upload. The bytes live in the blob store, addressed by
 * sha256, so identical content is kept once however many uploads carry it. `message_id` is set
 * when a message attaches the upload (once); until then only its uploader may read it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('uploads')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('uploader_id', 'varchar(26)', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('offset', 'bigint', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addColumn('sha256', 'varchar(64)')
    .addColumn('mime', 'varchar(255)')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('preview', 'text')
    .addColumn('thumb_sha256', 'varchar(64)')
    .addColumn('message_id', 'varchar(26)')
    // Where the file stands among its message's attachments (the sender's order).
    .addColumn('attach_pos', 'integer')
    .execute();
  // The quota sums one user's uploads; the sweeper looks for old unattached ones.
  await db.schema.createIndex('uploads_by_uploader').on('uploads').columns(['uploader_id', 'state']).execute();
  await db.schema.createIndex('uploads_by_message').on('uploads').column('message_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('uploads').execute();
}
