import type { User } from '@parley/protocol';
import type { UsersTable } from '../store/schema.js';
import { iso } from '../core/time.js';

/** The server → client shape of a user: never the hash, never internal flags. */
export function presentUser(row: Pick<UsersTable, 'id' | 'username' | 'display_name' | 'avatar_url' | 'status_text' | 'role' | 'created_at'>): User {
  return {
    id: row.id,
    username: row.username,
    display_name: row.display_name,
    avatar_url: row.avatar_url,
    status_text: row.status_text,
    role: row.role,
    created_at: iso(row.created_at),
  };
}
