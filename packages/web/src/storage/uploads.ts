import { openDB, deleteDB, type DBSchema, type IDBPDatabase } from 'idb';

/** A file waiting in a composer: enough to show its chip after a reload and to resume its upload. */
export interface StoredUpload {
  key: string;
  /** The composer it belongs to: a conversation id, or `thread:<root id>`. */
  draft_key: string;
  name: string;
  size: number;
  type: string;
  /** The bytes, until the upload finished (tus resumes by handing the same File in again). */
  file: File | null;
  /** The server's upload id once finished. */
  id: string | null;
  order: number;
}

interface UploadsSchema extends DBSchema {
  uploads: { key: string; value: StoredUpload };
}

export type UploadsDb = IDBPDatabase<UploadsSchema>;

/*
 * A database of its own rather than a new store in the account's cache database: adding a store
 * means a version upgrade, which waits for every tab still holding the old version to close, and
 * older tabs do not know to close, so a new tab would hang on its cache until they did.
 */
const dbName = (userId: string) => `parley-uploads-${userId}`;

export function openUploadsDb(userId: string): Promise<UploadsDb> {
  return openDB<UploadsSchema>(dbName(userId), 1, {
    upgrade(db) {
      db.createObjectStore('uploads', { keyPath: 'key' });
    },
    // A later version opened in another tab: step aside rather than block it.
    blocking(_current, _next, event) {
      (event.target as IDBDatabase).close();
    },
  });
}

export function deleteUploadsDb(userId: string): Promise<void> {
  return deleteDB(dbName(userId));
}
