/**
 * Seeds a large conversation for the `history` scenario by writing straight into the server's
 * SQLite file while the server is stopped. This BYPASSES THE API on purpose (1,000,000 sends
 * through the socket would take longer than the benchmark itself): rows are shaped exactly as
 * MessagesService.send stores them (a `messages` row plus its `message.created` event, the
 * conversation's `last_seq` moved to the end), but no validation, rate limit or fan-out runs.
 */
import Database from 'better-sqlite3';
import path from 'node:path';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-shaped id: 10 chars of time, then 16 chars that are unique per `n` within one seed. */
function ulidLike(timeMs: number, salt: string, n: number): string {
  let t = '';
  let v = timeMs;
  for (let i = 0; i < 10; i++) {
    t = CROCKFORD[v % 32]! + t;
    v = Math.floor(v / 32);
  }
  let r = '';
  let m = n;
  for (let i = 0; i < 10; i++) {
    r = CROCKFORD[m % 32]! + r;
    m = Math.floor(m / 32);
  }
  return t + salt + r;
}

export interface SeedResult {
  messages: number;
  firstSeq: number;
  lastSeq: number;
  ms: number;
  dbBytes: number;
}

export function seedConversation(dataDir: string, convId: string, senderId: string, count: number, onProgress?: (done: number) => void): SeedResult {
  const t0 = performance.now();
  const file = path.join(dataDir, 'parley.db');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const conv = db.prepare('SELECT last_seq FROM conversations WHERE id = ?').get(convId) as { last_seq: number } | undefined;
    if (!conv) throw new Error(`seed: no conversation ${convId} in ${file}`);
    const firstSeq = Number(conv.last_seq) + 1;
    const insMsg = db.prepare(
      `INSERT INTO messages (id, conv_id, seq, sender_id, client_msg_id, body, reply_to, thread_root_id, reply_count, last_reply_at, mentions_all, created_at, edited_at, recalled_at, recalled_by)
       VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, 0, NULL, 0, ?, NULL, NULL, NULL)`,
    );
    const insEvt = db.prepare(`INSERT INTO events (conv_id, seq, type, actor_id, message_id, data, created_at) VALUES (?, ?, 'message.created', ?, ?, '{}', ?)`);
    const bump = db.prepare('UPDATE conversations SET last_seq = ? WHERE id = ?');
    const salt = Array.from({ length: 6 }, () => CROCKFORD[Math.floor(Math.random() * 32)]).join('');
    const base = Date.now() - count; // one message per millisecond, ending now
    const chunk = 100_000;
    for (let start = 0; start < count; start += chunk) {
      const end = Math.min(count, start + chunk);
      db.transaction(() => {
        for (let i = start; i < end; i++) {
          const seq = firstSeq + i;
          const t = base + i;
          const id = ulidLike(t, salt, i);
          insMsg.run(id, convId, seq, senderId, `seed-${salt}-${i}`, `seeded message ${i}: the quick brown fox jumps over the lazy dog`, t);
          insEvt.run(convId, seq, senderId, id, t);
        }
        bump.run(firstSeq + end - 1, convId);
      })();
      onProgress?.(end);
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    const dbBytes = (db.prepare('SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()').get() as { n: number }).n;
    return { messages: count, firstSeq, lastSeq: firstSeq + count - 1, ms: performance.now() - t0, dbBytes };
  } finally {
    db.close();
  }
}
