import type SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { DOC_IDS_PER_MS, metaTerms, searchDocument, toTsvector } from './document.js';

/** A message as the index needs it. */
export interface IndexEntry {
  messageId: string;
  convId: string;
  seq: number;
  senderId: string;
  createdAt: number;
  body: string;
  attachments: readonly { mime: string | null; name: string }[];
}

/**
 * The first doc id to try for a message: its millisecond's block, at a slot picked by its id's
 * random tail, so two messages of one millisecond rarely meet; on a clash the next slot is
 * tried. Never beyond 2^53 before the year 2248.
 */
export function firstDocId(messageId: string, createdAt: number): number {
  let h = 0;
  for (let i = messageId.length - 6; i < messageId.length; i++) h = (h * 31 + messageId.charCodeAt(i)) >>> 0;
  return createdAt * DOC_IDS_PER_MS + (h % DOC_IDS_PER_MS);
}

/**
 * The SQLite index's writes, on the index thread's connection to search.db (sqlite-index-worker.ts)
 * inside its batch transaction. One FTS5 row per message, its rowid the doc id and the message id
 * stored beside the terms (an UNINDEXED column): no table or B-tree besides the index itself.
 */
export class SqliteSearchWriter {
  private readonly st;
  /**
   * Doc ids this connection knows are taken, by millisecond block (recent blocks only). A send
   * batch gives hundreds of messages one millisecond and its ids one run of slots: walking that
   * run in the index row by row for each message cost ~16 µs a message (a quarter of the index
   * thread's time, profiled). Known slots are skipped; an unknown one is still looked up, since
   * an earlier process may have written the block. Only this connection writes the index.
   */
  private readonly blocks = new Map<number, Set<number>>();

  constructor(sqlite: SQLite.Database) {
    this.st = {
      at: sqlite.prepare<[number], { message_id: string }>('SELECT message_id FROM search_fts WHERE rowid = ?'),
      insert: sqlite.prepare('INSERT INTO search_fts (rowid, body, joined, meta, message_id) VALUES (?, ?, ?, ?, ?)'),
      delete: sqlite.prepare('DELETE FROM search_fts WHERE rowid = ?'),
    };
  }

  private block(id: number): Set<number> {
    const b = Math.floor(id / DOC_IDS_PER_MS);
    let taken = this.blocks.get(b);
    if (!taken) {
      taken = new Set();
      this.blocks.set(b, taken);
      if (this.blocks.size > 4096) this.blocks.delete(this.blocks.keys().next().value!);
    }
    return taken;
  }

  /** The message's doc id: its first slot, or the next ones taken by others of its millisecond; `free` is where it would go. */
  private find(messageId: string, createdAt: number): { found: number | null; free: number } {
    for (let id = firstDocId(messageId, createdAt); ; id++) {
      const row = this.st.at.get(id);
      if (!row) return { found: null, free: id };
      if (row.message_id === messageId) return { found: id, free: id };
    }
  }

  /** The first free slot for a message the index has never held. */
  private freeSlot(messageId: string, createdAt: number): number {
    for (let id = firstDocId(messageId, createdAt); ; id++) {
      const known = this.block(id);
      if (known.has(id)) continue;
      if (!this.st.at.get(id)) return id;
      known.add(id);
    }
  }

  /**
   * Indexes a message, or re-indexes it (an edit). `fresh`: the index has never held it (it was
   * never edited, and a message is queued once when sent), so no earlier doc is looked for.
   */
  put(e: IndexEntry, fresh = false): void {
    const doc = searchDocument(e.body, e.attachments);
    let id: number;
    if (fresh) id = this.freeSlot(e.messageId, e.createdAt);
    else {
      const { found, free } = this.find(e.messageId, e.createdAt);
      if (found !== null) this.st.delete.run(found);
      id = free;
    }
    this.st.insert.run(id, doc.body, doc.joined, metaTerms(e.convId, e.senderId, doc.flags), e.messageId);
    this.block(id).add(id);
  }

  remove(messageId: string, createdAt: number): void {
    const { found } = this.find(messageId, createdAt);
    if (found === null) return;
    this.st.delete.run(found);
    this.blocks.get(Math.floor(found / DOC_IDS_PER_MS))?.delete(found);
  }

  /** Forgets what it knows of taken slots (after a rolled-back transaction). */
  forget(): void {
    this.blocks.clear();
  }
}

/**
 * Indexing from the paths that run in a Kysely transaction (edit, recall, the PostgreSQL
 * backfill). PostgreSQL writes the doc in that transaction; SQLite queues the message for the
 * index thread, which indexes it as it is when its turn comes.
 */
export async function indexMessage(db: Kysely<Database>, pg: boolean, e: IndexEntry, opts: { skipKnown?: boolean } = {}): Promise<void> {
  if (!pg) return queueForIndex(db, e.messageId);
  const doc = searchDocument(e.body, e.attachments);
  const known = await db.selectFrom('search_docs').select('doc_id').where('message_id', '=', e.messageId).executeTakeFirst();
  if (known && opts.skipKnown) return;
  if (known) {
    await sql`UPDATE search_docs SET flags = ${doc.flags}, terms = ${toTsvector(doc)}::tsvector WHERE doc_id = ${Number(known.doc_id)}`.execute(db);
    return;
  }
  for (let id = firstDocId(e.messageId, e.createdAt); ; id++) {
    const res = await sql`INSERT INTO search_docs (doc_id, message_id, conv_id, seq, sender_id, created_at, flags, terms)
                          VALUES (${id}, ${e.messageId}, ${e.convId}, ${e.seq}, ${e.senderId}, ${e.createdAt}, ${doc.flags}, ${toTsvector(doc)}::tsvector)
                          ON CONFLICT DO NOTHING`.execute(db);
    if (Number(res.numAffectedRows ?? 0) > 0) return;
    // A concurrent writer (another node's backfill) indexed this very message meanwhile: done.
    if (await db.selectFrom('search_docs').select('doc_id').where('message_id', '=', e.messageId).executeTakeFirst()) return;
  }
}

export async function unindexMessage(db: Kysely<Database>, pg: boolean, messageId: string): Promise<void> {
  if (!pg) return queueForIndex(db, messageId);
  await db.deleteFrom('search_docs').where('message_id', '=', messageId).execute();
}

/** SQLite: the index thread re-reads the message and indexes it as it is then (sqlite-indexer.ts). */
async function queueForIndex(db: Kysely<Database>, messageId: string): Promise<void> {
  await sql`INSERT INTO search_queue (message_id) VALUES (${messageId})`.execute(db);
}
