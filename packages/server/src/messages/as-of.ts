import type { Db } from '../store/db.js';

/**
 * Where a member's view of a conversation stops: the seq and time of their leaving. A member who
 * left sees messages as they were then; edits, reactions and thread replies made later are not
 * theirs to read (they could carry anything written after the member was gone).
 */
export interface AsOf {
  seq: number;
  at: number;
}

export async function asOfLeaving(db: Db, convId: string, member: { left_seq: number | string | null } | null): Promise<AsOf | null> {
  if (!member || member.left_seq === null) return null;
  const seq = Number(member.left_seq);
  const row = await db.selectFrom('events').select('created_at').where('conv_id', '=', convId).where('seq', '=', seq).executeTakeFirst();
  // No leave event (cannot happen short of a damaged log): show every message as first written.
  return { seq, at: row ? Number(row.created_at) : 0 };
}
