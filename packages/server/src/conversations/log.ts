import type { LogEvent, LogEventType } from '@parley/protocol';
import { hydrateEvents } from '../sync/hydrate.js';
import type { Db } from '../store/db.js';

/**
 * Appends one event to a conversation's log and returns its seq. Must run inside the transaction
 * that stores the change: the UPDATE … RETURNING takes the conversation's row lock on PostgreSQL
 * (and SQLite has one writer), so seqs stay gapless under concurrent writers.
 */
export async function appendEvent(trx: Db, e: { conv_id: string; type: LogEventType; actor_id: string; message_id?: string | null; data?: Record<string, unknown>; now: number }): Promise<number> {
  const row = await trx
    .updateTable('conversations')
    .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
    .where('id', '=', e.conv_id)
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  const seq = Number(row.last_seq);
  await trx
    .insertInto('events')
    .values({ conv_id: e.conv_id, seq, type: e.type, actor_id: e.actor_id, message_id: e.message_id ?? null, data: JSON.stringify(e.data ?? {}), created_at: e.now })
    .execute();
  return seq;
}

/**
 * Reads events [from, to] as wire events. Call it inside the writing transaction and publish
 * right after the commit resolves: with nothing async in between, events leave this node in
 * commit order, so live clients see seqs in order.
 */
export async function readEvents(trx: Db, convId: string, from: number, to: number): Promise<LogEvent[]> {
  const rows = await trx.selectFrom('events').selectAll().where('conv_id', '=', convId).where('seq', '>=', from).where('seq', '<=', to).orderBy('seq').execute();
  return hydrateEvents(trx, rows);
}
