import type { Kysely } from 'kysely';

/* Portable DDL only: the same migration runs on SQLite and PostgreSQL. Times are bigint ms. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('display_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('avatar_url', 'text')
    .addColumn('status_text', 'varchar(280)')
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('deactivated_at', 'bigint')
    .addColumn('last_seen_at', 'bigint')
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id'))
    .addColumn('device_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('user_agent', 'varchar(512)', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)', (c) => c.notNull())
    .addColumn('refresh_gen', 'integer', (c) => c.notNull())
    .addColumn('refresh_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_reason', 'varchar(64)')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('invites')
    .addColumn('code_hash', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('created_by', 'varchar(26)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_by', 'varchar(26)')
    .addColumn('used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('name', 'varchar(128)')
    .addColumn('topic', 'varchar(512)', (c) => c.notNull().defaultTo(''))
    .addColumn('visibility', 'varchar(16)')
    .addColumn('history_visibility', 'varchar(16)', (c) => c.notNull())
    .addColumn('dm_key', 'varchar(64)', (c) => c.unique())
    .addColumn('created_by', 'varchar(26)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('archived_at', 'bigint')
    .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('conversations_kind_visibility').on('conversations').columns(['kind', 'visibility']).execute();

  await db.schema
    .createTable('members')
    .addColumn('conv_id', 'varchar(26)', (c) => c.notNull().references('conversations.id'))
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addColumn('visible_from_seq', 'bigint', (c) => c.notNull())
    .addColumn('left_seq', 'bigint')
    .addColumn('read_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('delivered_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('members_pk', ['conv_id', 'user_id'])
    .execute();
  await db.schema.createIndex('members_user').on('members').columns(['user_id', 'conv_id']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('conv_id', 'varchar(26)', (c) => c.notNull().references('conversations.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('sender_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('client_msg_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('reply_to', 'varchar(26)')
    .addColumn('thread_root_id', 'varchar(26)')
    .addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_reply_at', 'bigint')
    .addColumn('mentions_all', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('edited_at', 'bigint')
    .addColumn('recalled_at', 'bigint')
    .addColumn('recalled_by', 'varchar(26)')
    .execute();
  await db.schema.createIndex('messages_conv_seq').unique().on('messages').columns(['conv_id', 'seq']).execute();
  await db.schema.createIndex('messages_sender_cmid').unique().on('messages').columns(['sender_id', 'client_msg_id']).execute();
  await db.schema.createIndex('messages_thread').on('messages').columns(['thread_root_id', 'seq']).execute();

  await db.schema
    .createTable('message_edits')
    .addColumn('message_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('edited_at', 'bigint', (c) => c.notNull())
    .addColumn('previous_body', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_edits_message').on('message_edits').column('message_id').execute();

  await db.schema
    .createTable('reactions')
    .addColumn('message_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('emoji', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('reactions_pk', ['message_id', 'emoji', 'user_id'])
    .execute();

  await db.schema
    .createTable('mentions')
    .addColumn('message_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('conv_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mentions_user_conv_seq').on('mentions').columns(['user_id', 'conv_id', 'seq']).execute();

  await db.schema
    .createTable('events')
    .addColumn('conv_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('message_id', 'varchar(26)')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['conv_id', 'seq'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('actor_id', 'varchar(26)')
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addColumn('target', 'varchar(128)')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_created').on('audit_log').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['audit_log', 'events', 'mentions', 'reactions', 'message_edits', 'messages', 'members', 'conversations', 'invites', 'sessions', 'users']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
