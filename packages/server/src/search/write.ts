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
 * Index writes on the embedded database's own connection, inside whatever transaction the caller
 * has open: the send batch indexes its messages in the transaction that stores them, so an acked
 * message is searchable and a rolled-back one never was.
 */
export class SqliteSearchWriter {
  private readonly st;

  constructor(sqlite: SQLite.Database) {
    this.st = {
      existing: sqlite.prepare<[string], { doc_id: number }>('SELECT doc_id FROM search_docs WHERE message_id = ?'),
      insertDoc: sqlite.prepare('INSERT OR IGNORE INTO search_docs (doc_id, message_id, conv_id, seq, sender_id, created_at, flags) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      updateFlags: sqlite.prepare('UPDATE search_docs SET flags = ? WHERE doc_id = ?'),
      insertTerms: sqlite.prepare('INSERT INTO search_fts (rowid, body, joined, meta) VALUES (?, ?, ?, ?)'),
      deleteTerms: sqlite.prepare('DELETE FROM search_fts WHERE rowid = ?'),
      deleteDoc: sqlite.prepare('DELETE FROM search_docs WHERE doc_id = ?'),
    };
  }

  /** Indexes a message, or re-indexes it (an edit). */
  put(e: IndexEntry): void {
    const doc = searchDocument(e.body, e.attachments);
    const known = this.st.existing.get(e.messageId);
    if (known) {
      this.st.deleteTerms.run(known.doc_id);
      this.st.updateFlags.run(doc.flags, known.doc_id);
      this.st.insertTerms.run(known.doc_id, doc.body, doc.joined, metaTerms(e.convId, e.senderId, doc.flags));
      return;
    }
    let id = firstDocId(e.messageId, e.createdAt);
    while (this.st.insertDoc.run(id, e.messageId, e.convId, e.seq, e.senderId, e.createdAt, doc.flags).changes === 0) id++;
    this.st.insertTerms.run(id, doc.body, doc.joined, metaTerms(e.convId, e.senderId, doc.flags));
  }

  remove(messageId: string): void {
    const known = this.st.existing.get(messageId);
    if (!known) return;
    this.st.deleteTerms.run(known.doc_id);
    this.st.deleteDoc.run(known.doc_id);
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
