import type { User } from '@parley/protocol';
import type { UsersTable } from '../store/schema.js';
import { iso } from '../core/time.js';

/** The profile columns a user row is presented from (users/service.ts selects exactly these). */
export type PresentableUser = Pick<UsersTable, 'id' | 'username' | 'display_name' | 'avatar_url' | 'status_text' | 'role' | 'created_at'> & {
  bot_owner_id?: string | null;
  status_emoji: string | null;
  /** A bigint column: PostgreSQL answers it as a string. */
  status_expires_at: number | string | null;
  time_zone: string | null;
};

/**
 * The server → client shape of a user: never the hash, never internal flags. A status past its
 * expiry reads as cleared on every path, before the sweeper (status-expiry.ts) has cleared the row.
 */
export function presentUser(row: PresentableUser): User {
  return presentUserAt(row, Date.now());
}

/** presentUser as of `now` (ms). */
export function presentUserAt(row: PresentableUser, now: number): User {
  const expires = row.status_expires_at === null ? null : Number(row.status_expires_at);
  const expired = expires !== null && expires <= now;
  return {
    id: row.id,
    username: row.username,
    display_name: row.display_name,
    avatar_url: row.avatar_url,
    status_text: expired ? null : row.status_text,
    status_emoji: expired ? null : row.status_emoji,
    status_expires_at: expired || expires === null ? null : iso(expires),
    time_zone: row.time_zone,
    role: row.role,
    is_bot: row.bot_owner_id != null,
    created_at: iso(Number(row.created_at)),
  };
}
