import fs from 'node:fs';
import path from 'node:path';
import type SQLite from 'better-sqlite3';

/**
 * On SQLite the search index lives in its own file, `DATA_DIR/search.db`, written by a worker
 * thread (sqlite-index-worker.ts) with its own connection: SQLite has one writer per file, so
 * an index in `parley.db` would make the indexer and the send batches take turns on one lock,
 * and indexing on the event loop cost ~35 % of dm throughput (docs/performance.md). The main
 * connection ATTACHes the file to search it, joining `messages` directly.
 *
 * The index is derived data: a missing `search.db` (first start with search, or deleted to
 * rebuild it) is recreated and every stored message queued for indexing.
 */
export const SEARCH_SCHEMA = [
  // One row per searchable message; in:, from: and has: are terms of `meta` (document.ts, metaTerms).
  `CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(body, joined, meta, message_id UNINDEXED, content='', contentless_delete=1, contentless_unindexed=1, tokenize='unicode61 remove_diacritics 0')`,
  // How far through search_queue (in parley.db) the index is.
  'CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)',
];

export function searchIndexFile(dataDir: string): string {
  return path.join(dataDir, 'search.db');
}

/** Attaches (creating when missing) the index file to the main connection as `search`. */
export function attachSearchIndex(sqlite: SQLite.Database, dataDir: string): void {
  const file = searchIndexFile(dataDir);
  const fresh = !fs.existsSync(file);
  sqlite.prepare('ATTACH DATABASE ? AS search').run(file);
  sqlite.pragma('search.journal_mode = WAL');
  for (const statement of SEARCH_SCHEMA) sqlite.exec(statement.replace(/^(CREATE (?:VIRTUAL )?TABLE IF NOT EXISTS |CREATE INDEX IF NOT EXISTS )/, '$1search.'));
  if (fresh) {
    // Everything stored is indexed again, in the order it was sent.
    sqlite.transaction(() => {
      sqlite.exec('DELETE FROM search_queue');
      sqlite.exec('INSERT INTO search_queue (message_id) SELECT id FROM messages ORDER BY rowid');
    })();
  }
}
