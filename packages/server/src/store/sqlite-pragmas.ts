import type SQLite from 'better-sqlite3';

export interface SqliteTuning {
  synchronous: 'full' | 'normal';
  /** The background checkpoint thread's interval; 0 when SQLite checkpoints by itself. */
  checkpointMs: number;
}

/**
 * The settings of every connection that writes parley.db (the main one and the send writer's
 * thread): they must agree, or an ack would promise less on one path than on the other.
 * `synchronous=FULL` by default: an ack promises durability across power loss, not only a crash.
 */
export function tuneWritingConnection(sqlite: SQLite.Database, t: SqliteTuning): void {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${t.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Deleted and overwritten content is zeroed, not left in free space of its page: a burned or
  // recalled text must not stay readable in the file (messages/burn.ts, store/wal-scrub.ts).
  sqlite.pragma('secure_delete = ON');
  // SQLite's default page cache is 2 MB: under load most index pages were re-read from the OS
  // on every statement. 64 MB keeps the hot indexes of a busy workspace in memory.
  sqlite.pragma('cache_size = -65536');
  // With the checkpoint thread, SQLite's own checkpoint is only a backstop (40 MB of WAL).
  sqlite.pragma(`wal_autocheckpoint = ${t.checkpointMs > 0 ? 10_000 : 1_000}`);
}
