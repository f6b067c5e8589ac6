import { openDB, deleteDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Conversation, Message, User } from '@parley/protocol';
import type { OutboxEntry } from '@parley/sdk';
import { warnFailed } from '../app/report';

/** What one conversation's cached tail looks like on disk. */
export interface CachedTimeline {
  conv_id: string;
  messages: Message[];
  has_older: boolean;
}

export interface StoredOutboxEntry extends OutboxEntry {
  /** Insertion order: several sends can share a millisecond, and order must survive a reload. */
  order: number;
}

/** A send the server refused for good: kept, with its reason, until it is retried or discarded. */
export interface FailedSend {
  client_msg_id: string;
  conv_id: string;
  body: string;
  reply_to: string | null;
  created_at: number;
  error: string | null;
  files?: { id: string; name: string; size: number }[];
}

export interface KvValues {
  conversations: Conversation[];
  cursors: Record<string, number>;
  counts_as_of: Record<string, number>;
  users: User[];
  failed_sends: FailedSend[];
}

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

interface ParleySchema extends DBSchema {
  outbox: { key: string; value: StoredOutboxEntry };
  uploads: { key: string; value: StoredUpload };
  timelines: { key: string; value: CachedTimeline };
  kv: { key: keyof KvValues; value: KvValues[keyof KvValues] };
}

export type ParleyDb = IDBPDatabase<ParleySchema>;

// One database per account: a second person signing in on this browser never sees the first one's data.
const dbName = (userId: string) => `parley-${userId}`;

export function openUserDb(userId: string): Promise<ParleyDb> {
  return openDB<ParleySchema>(dbName(userId), 2, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('outbox', { keyPath: 'client_msg_id' });
        db.createObjectStore('timelines', { keyPath: 'conv_id' });
        db.createObjectStore('kv');
      }
      if (oldVersion < 2) db.createObjectStore('uploads', { keyPath: 'key' });
    },
  });
}

export async function deleteUserDb(userId: string): Promise<void> {
  await deleteDB(dbName(userId)).catch(warnFailed('deleting the cache of a signed-out account'));
}
