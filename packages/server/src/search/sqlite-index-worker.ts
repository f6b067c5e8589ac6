/**
 * The search index's writer on SQLite, in its own thread (see sqlite-index-file.ts): follows
 * `search_queue` in parley.db (read-only), indexes each queued message as it is now into
 * search.db (its own connection, its own write lock), and records how far it got in the same
 * transaction, so a restart resumes exactly there.
 *
 * Messages from the main thread: `{ type: 'kick' }` (work queued), `{ type: 'flush', id, upTo }`
 * (answer `{ type: 'flushed', id }` once everything up to queue position `upTo` is indexed),
 * `{ type: 'stop' }`. It posts `{ type: 'progress', cursor }` after each batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SEARCH_SCHEMA } from './sqlite-index-file.js';
import { SqliteSearchWriter } from './write.js';

interface Data {
  mainFile: string;
  indexFile: string;
  batch: number;
  everyMs: number;
}

type Incoming = { type: 'kick' } | { type: 'stop' } | { type: 'flush'; id: number; upTo: number };

const port = parentPort!;
const { mainFile, indexFile, batch, everyMs } = workerData as Data;
const main = new Database(mainFile, { readonly: true, fileMustExist: true });
main.pragma('busy_timeout = 5000');
const index = new Database(indexFile);
index.pragma('journal_mode = WAL');
// Derived data, rebuilt when lost: a power cut may only cost the last batches, which the cursor
// (committed with them) then indexes again.
index.pragma('synchronous = NORMAL');
index.pragma('busy_timeout = 5000');
for (const statement of SEARCH_SCHEMA) index.exec(statement);
// FTS5 merges a level's segments once this many gather (default 4): fewer rewrites of each term
// under a steady stream of batches, a few more segments for a query to read. dm throughput with
// indexing went from ~7,600 to ~8,200 msg/s (docs/performance.md); search p99 stays in single ms.
index.exec("INSERT INTO search_fts(search_fts, rank) VALUES('automerge', 16)");

const writer = new SqliteSearchWriter(index);
// A message's files come along as JSON, read in the same statement (one query per batch, not per message).
const take = main.prepare<
  [number, number],
  {
    pos: number;
    message_id: string;
    conv_id: string | null;
    seq: number;
    sender_id: string;
    created_at: number;
    body: string;
    edited_at: number | null;
    recalled_at: number | null;
    expired_at: number | null;
    files: string | null;
  }
>(
  `SELECT q.pos, q.message_id, m.conv_id, m.seq, m.sender_id, m.created_at, m.body, m.edited_at, m.recalled_at, m.expired_at,
          (SELECT json_group_array(json_object('mime', u.mime, 'name', u.name)) FROM uploads u WHERE u.message_id = q.message_id) AS files
   FROM search_queue q LEFT JOIN messages m ON m.id = q.message_id WHERE q.pos > ? ORDER BY q.pos LIMIT ?`,
);
const readCursor = index.prepare<[], { value: number }>("SELECT value FROM search_meta WHERE key = 'queue_pos'");
const writeCursor = index.prepare("INSERT INTO search_meta (key, value) VALUES ('queue_pos', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");

let cursor = readCursor.get()?.value ?? 0;
const waiting: { id: number; upTo: number }[] = [];

const step = index.transaction((rows: ReturnType<typeof take.all>) => {
  for (const r of rows) {
    // Messages are never deleted (a recall keeps the row), so a queued id always has one.
    if (r.conv_id === null) continue;
    // Recalled or past its retention (messages/retention.ts): out of the index.
    if (r.recalled_at !== null || r.expired_at !== null) writer.remove(r.message_id, Number(r.created_at));
    else {
      const attachments = r.files ? (JSON.parse(r.files) as { mime: string | null; name: string }[]) : [];
      // Never edited: queued once, by its send, so the index cannot hold it yet.
      const fresh = r.edited_at === null;
      writer.put({ messageId: r.message_id, convId: r.conv_id, seq: Number(r.seq), senderId: r.sender_id, createdAt: Number(r.created_at), body: r.body, attachments }, fresh);
    }
  }
  writeCursor.run(rows[rows.length - 1]!.pos);
});

let timer: NodeJS.Timeout | null = null;
let stopped = false;

function work(): void {
  timer = null;
  if (stopped) return;
  try {
    for (;;) {
      const rows = take.all(cursor, batch);
      if (rows.length === 0) break;
      try {
        step(rows);
      } catch (e) {
        writer.forget();
        throw e;
      }
      cursor = rows[rows.length - 1]!.pos;
      port.postMessage({ type: 'progress', cursor });
      if (rows.length < batch) break;
    }
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (waiting[i]!.upTo <= cursor) {
        port.postMessage({ type: 'flushed', id: waiting[i]!.id });
        waiting.splice(i, 1);
      }
    }
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
  schedule(everyMs);
}

function schedule(ms: number): void {
  if (stopped) return;
  if (timer) {
    if (ms > 0) return;
    clearTimeout(timer);
  }
  timer = setTimeout(work, ms);
}

port.on('message', (m: Incoming) => {
  if (m.type === 'stop') {
    stopped = true;
    if (timer) clearTimeout(timer);
    main.close();
    index.close();
    port.postMessage({ type: 'stopped' });
    port.close();
    return;
  }
  if (m.type === 'flush') waiting.push({ id: m.id, upTo: m.upTo });
  schedule(0);
});

port.postMessage({ type: 'progress', cursor });
schedule(0);
