import { openDB, deleteDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Conversation, Message, User } from '@parley/protocol';
import type { OutboxEntry } from '@parley/sdk';
import { warnFailed } from '../app/report';
import { deleteUploadsDb } from './uploads';

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

interface ParleySchema extends DBSchema {
  outbox: { key: string; value: StoredOutboxEntry };
  timelines: { key: string; value: CachedTimeline };
  kv: { key: keyof KvValues; value: KvValues[keyof KvValues] };
}

export type ParleyDb = IDBPDatabase<ParleySchema>;

// One database per account: a second person signing in on this browser never sees the first one's data.
const dbName = (userId: string) => `parley-${userId}`;

export function openUserDb(userId: string): Promise<ParleyDb> {
  return openDB<ParleySchema>(dbName(userId), 1, {
    upgrade(db) {
      db.createObjectStore('outbox', { keyPath: 'client_msg_id' });
      db.createObjectStore('timelines', { keyPath: 'conv_id' });
      db.createObjectStore('kv');
    },
  });
}

export async function deleteUserDb(userId: string): Promise<void> {
  await Promise.all([
    deleteDB(dbName(userId)).catch(warnFailed('deleting the cache of a signed-out account')),
    deleteUploadsDb(userId).catch(warnFailed('deleting the composer files of a signed-out account')),
  ]);
}
