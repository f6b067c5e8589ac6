import type { ConversationUpdatedEvent, LogEvent, MemberRole, Message, User } from '@parley/protocol';
import type { Db } from '../store/db.js';
import type { EventsTable } from '../store/schema.js';
import { iso } from '../core/time.js';
import { loadMessages } from '../messages/presenter.js';
import type { AsOf } from '../messages/as-of.js';
import { presentUser } from '../users/presenter.js';

type Data = Record<string, unknown>;

/**
 * Turns stored event rows into wire events. Messages (and thread roots) are read as they are now,
 * so a replayed `message.created` of a recalled message is already a tombstone; for a reader who
 * left (`asOf`), as they were when that reader left.
 */
export async function hydrateEvents(db: Db, rows: EventsTable[], asOf: AsOf | null = null): Promise<LogEvent[]> {
  const msgIds = rows.map((r) => r.message_id).filter((x): x is string => x !== null);
  const messages = await loadMessages(db, msgIds, asOf);
  const rootIds = [...messages.values()].map((m) => m.thread_root_id).filter((x): x is string => x !== null && !messages.has(x));
  const roots = await loadMessages(db, rootIds, asOf);
  for (const [k, v] of messages) roots.set(k, v);
  const userIds = rows.filter((r) => r.type === 'member.joined').map((r) => (JSON.parse(r.data) as Data).user_id as string);
  const users = new Map<string, User>();
  if (userIds.length > 0) {
    const urows = await db
      .selectFrom('users')
      .selectAll()
      .where('id', 'in', [...new Set(userIds)])
      .execute();
    for (const u of urows) users.set(u.id, presentUser(u));
  }
  const out: LogEvent[] = [];
  for (const r of rows) {
    const e = toEvent(r, messages, roots, users);
    if (e) out.push(e);
  }
  return out;
}

function toEvent(r: EventsTable, messages: Map<string, Message>, roots: Map<string, Message>, users: Map<string, User>): LogEvent | null {
  const base = { conv_id: r.conv_id, seq: Number(r.seq), ts: iso(Number(r.created_at)), actor_id: r.actor_id };
  const d = JSON.parse(r.data) as Data;
  const message = r.message_id ? messages.get(r.message_id) : undefined;
  switch (r.type) {
    case 'message.created': {
      if (!message) return null;
      const root = message.thread_root_id ? roots.get(message.thread_root_id) : undefined;
      return {
        ...base,
        type: 'message.created',
        message,
        thread_root: root ? { id: root.id, reply_count: root.reply_count, last_reply_at: root.last_reply_at } : null,
      };
    }
    case 'message.edited':
    case 'message.recalled':
    case 'message.burned':
      return message ? { ...base, type: r.type, message } : null;
    case 'messages.expired':
      return { ...base, type: 'messages.expired', up_to_seq: Number(d.up_to_seq), count: Number(d.count) };
    case 'reaction.changed':
      return message ? { ...base, type: 'reaction.changed', message, emoji: String(d.emoji), user_id: String(d.user_id), op: d.op === 'remove' ? 'remove' : 'add' } : null;
    case 'message.tagged':
      return message ? { ...base, type: 'message.tagged', message, tag: String(d.tag), op: d.op === 'remove' ? 'remove' : 'add' } : null;
    case 'message.pinned':
      return message ? { ...base, type: 'message.pinned', message, op: d.op === 'remove' ? 'remove' : 'add' } : null;
    case 'member.joined': {
      const user = users.get(String(d.user_id));
      return user ? { ...base, type: 'member.joined', user, role: d.role as MemberRole, member_count: Number(d.member_count) } : null;
    }
    case 'member.left':
      return { ...base, type: 'member.left', user_id: String(d.user_id), removed_by: (d.removed_by as string | null) ?? null, member_count: Number(d.member_count) };
    case 'member.role_changed':
      return { ...base, type: 'member.role_changed', user_id: String(d.user_id), role: d.role as MemberRole };
    case 'conversation.updated':
      return { ...base, type: 'conversation.updated', changes: d.changes as ConversationUpdatedEvent['changes'] };
    default:
      return null;
  }
}
