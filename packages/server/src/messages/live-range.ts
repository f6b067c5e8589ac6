import { sql, type Expression, type RawBuilder } from 'kysely';

/*
 * Retention (messages/retention.ts) erases a prefix of each conversation's messages by seq, so
 * "not expired" is "after the last expired seq". Reads bound their walk of (conv_id, seq) by that
 * seq instead of filtering `expired_at IS NULL` row by row: there is no index of the live
 * messages (a send would have to write one more random-order entry for it, migration 035), only
 * `messages_expired`, where the last expired seq is one seek.
 *
 * The bound is folded into the query's one lower bound on seq: given two, SQLite walks the index
 * from the first it finds and only filters by the other, which on a conversation with a million
 * expired messages costs ~80 ms a read instead of under 1 ms (measured with the sqlite3 shell).
 * CASE, not max()/GREATEST(), because the two engines spell that differently.
 */

/** The conversation's last expired seq, 0 when none has expired. */
export function lastExpiredSeq(convId: Expression<string> | string): RawBuilder<number> {
  return sql<number>`COALESCE((SELECT ex.seq FROM messages ex WHERE ex.conv_id = ${convId} AND ex.expired_at IS NOT NULL ORDER BY ex.seq DESC LIMIT 1), 0)`;
}

/** `from`, or the seq after the last expired one if that is later: the lower bound (inclusive) of the conversation's live messages from `from` on. */
export function liveFrom(convId: Expression<string> | string, from: Expression<number> | number): RawBuilder<number> {
  const after = lastExpiredSeq(convId);
  return sql<number>`(CASE WHEN ${from} > ${after} THEN ${from} ELSE ${after} + 1 END)`;
}

/** The greater of two seqs, in SQL both engines run. */
export function laterSeq(a: Expression<number>, b: Expression<number>): RawBuilder<number> {
  return sql<number>`(CASE WHEN ${a} > ${b} THEN ${a} ELSE ${b} END)`;
}
