import type { Db } from '../store/db.js';

/**
 * A bot account's row: a member with no password (`!bot` is not an argon2 hash, so no password
 * ever verifies against it), owned by `ownerId` (itself for Parley's own bot). Bots act through
 * API tokens, or as an integration's voice.
 */
export async function insertBotUser(db: Db, bot: { id: string; username: string; displayName: string; avatarUrl: string | null; ownerId: string; at: number }): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id: bot.id,
      username: bot.username,
      password_hash: '!bot',
      display_name: bot.displayName,
      avatar_url: bot.avatarUrl,
      status_text: null,
      role: 'member',
      created_at: bot.at,
      deactivated_at: null,
      last_seen_at: null,
      bot_owner_id: bot.ownerId,
    })
    .execute();
}
