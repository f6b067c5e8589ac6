import type { Message, ReactionSummary } from '@parley/protocol';
import { sql } from 'kysely';
import type { Db } from '../store/db.js';
import { prepared } from '../store/prepared.js';
import type { MessagesTable } from '../store/schema.js';
import { iso, isoOrNull } from '../core/time.js';

export type MessageRow = MessagesTable;

/** Bigint columns arrive as strings from PostgreSQL; make every numeric column a number. */
export function normaliseMessage(r: MessageRow): MessageRow {
  return {
    ...r,
    seq: Number(r.seq),
    reply_count: Number(r.reply_count),
    last_reply_at: r.last_reply_at === null ? null : Number(r.last_reply_at),
    mentions_all: Number(r.mentions_all),
    created_at: Number(r.created_at),
    edited_at: r.edited_at === null ? null : Number(r.edited_at),
    recalled_at: r.recalled_at === null ? null : Number(r.recalled_at),
  };
}

/**
 * Builds the client shape of messages with reactions and mentions, in two batched queries.
 * A recalled message is a tombstone here, the one place every path (REST, socket, resync) goes
 * through, so no path can leak recalled text.
 */
export async function presentMessages(db: Db, rows: MessageRow[]): Promise<Message[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  // Reactions and mentions in one round trip: `kind` tells the rows apart.
  const related = ids.length === 1 ? await reactionsAndMentionsOfOne(db, { id: ids[0]! }) : await reactionsAndMentions(db, ids).execute();
  const reactions = related.filter((r) => r.kind === 'r');
  const mentions = related.filter((r) => r.kind === 'm');
  const byMsg = new Map<string, Map<string, string[]>>();
  for (const r of reactions) {
    let m = byMsg.get(r.message_id);
    if (!m) byMsg.set(r.message_id, (m = new Map()));
    const list = m.get(r.emoji) ?? [];
    list.push(r.user_id);
    m.set(r.emoji, list);
  }
  const mentionsBy = new Map<string, string[]>();
  for (const m of mentions) {
    const l = mentionsBy.get(m.message_id) ?? [];
    l.push(m.user_id);
    mentionsBy.set(m.message_id, l);
  }
  return rows.map((raw) => {
    const r = normaliseMessage(raw);
    const recalled = r.recalled_at !== null;
    const reacts: ReactionSummary[] = recalled
      ? []
      : [...(byMsg.get(r.id) ?? new Map<string, string[]>()).entries()].map(([emoji, user_ids]) => ({ emoji, count: user_ids.length, user_ids }));
    return {
      id: r.id,
      conv_id: r.conv_id,
      seq: r.seq,
      sender_id: r.sender_id,
      client_msg_id: r.client_msg_id,
      body: recalled ? '' : r.body,
      created_at: iso(r.created_at),
      edited_at: recalled ? null : isoOrNull(r.edited_at),
      recalled,
      recalled_at: isoOrNull(r.recalled_at),
      reply_to: r.reply_to,
      thread_root_id: r.thread_root_id,
      reply_count: r.reply_count,
      last_reply_at: isoOrNull(r.last_reply_at),
      mentions: recalled ? [] : (mentionsBy.get(r.id) ?? []).sort(),
      mentions_channel: !recalled && r.mentions_all === 1,
      reactions: reacts,
    };
  });
}

export async function loadMessages(db: Db, ids: readonly string[]): Promise<Map<string, Message>> {
  const out = new Map<string, Message>();
  if (ids.length === 0) return out;
  const unique = [...new Set(ids)];
  const rows = unique.length === 1 ? await messageById(db, { id: unique[0]! }) : await db.selectFrom('messages').selectAll().where('id', 'in', unique).execute();
  for (const m of await presentMessages(db, rows)) out.set(m.id, m);
  return out;
}

/** Reactions and mentions of the given messages, told apart by `kind`. */
const reactionsAndMentions = (db: Db, ids: string | string[]) =>
  db
    .selectFrom('reactions')
    .select(['message_id', 'emoji', 'user_id', 'created_at', sql<string>`'r'`.as('kind')])
    .where((eb) => (Array.isArray(ids) ? eb('message_id', 'in', ids) : eb('message_id', '=', ids)))
    .unionAll(
      db
        .selectFrom('mentions')
        .select(['message_id', sql<string>`''`.as('emoji'), 'user_id', sql<number>`0`.as('created_at'), sql<string>`'m'`.as('kind')])
        .where((eb) => (Array.isArray(ids) ? eb('message_id', 'in', ids) : eb('message_id', '=', ids))),
    )
    .orderBy('created_at');

// One message at a time is the common case (a conversation's last message, a live event).
const reactionsAndMentionsOfOne = prepared((db, p: { id: string }) => reactionsAndMentions(db, p.id));

const messageById = prepared((db, p: { id: string }) => db.selectFrom('messages').selectAll().where('id', '=', p.id));
