import type { User } from '@parley/protocol';
import type { UsersTable } from '../store/schema.js';
import { iso } from '../core/time.js';

/** The server → client shape of a user: never the hash, never internal flags. */
export function presentUser(row: Pick<UsersTable, 'id' | 'username' | 'display_name' | 'avatar_url' | 'status_text' | 'role' | 'created_at'> & { bot_owner_id?: string | null }): User {
  return {
    id: row.id,
    username: row.username,
    display_name: row.display_name,
    avatar_url: row.avatar_url,
    status_text: row.status_text,
    role: row.role,
    is_bot: row.bot_owner_id != null,
    created_at: iso(Number(row.created_at)),
  };
}
