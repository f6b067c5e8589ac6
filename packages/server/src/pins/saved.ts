import type { SavedMessage, SavedPage, SavedQuery } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { iso } from '../core/time.js';
import type { AsOf } from '../messages/as-of.js';
import { normaliseMessage, presentMessages, type MessageRow } from '../messages/presenter.js';
import type { MessagesService } from '../messages/service.js';
import { sendRateLimited } from '../messages/validate.js';

/** Saved at once per user: past it, something has to be unsaved first. */
export const MAX_SAVED = 1000;
const PAGE_MAX = 100;
const CURSOR = /^(\d{1,16})\.([0-9A-HJKMNP-TV-Z]{26})$/;

/**
 * Saved messages: a user's private bookmarks. Not in any log (nobody else learns of them); the
 * user's other devices hear of each change through a `saved.changed` event. The list shows each
 * message as the user may read it now, and only while they may: the access rules are part of
 * the query (membership and visible range, as history has them), so a message they can no longer
 * read, or one recalled or burned, drops out rather than leaks.
 */
export class SavedService {
  constructor(
    private readonly deps: Deps,
    private readonly messages: MessagesService,
  ) {}

  /** Saves a message the actor may read (not a recalled or burn-after-reading one); saving it again changes nothing. */
  async save(actor: Actor, messageId: string): Promise<SavedMessage> {
    const { db, now } = this.deps;
    const row = await this.messages.visible(actor, messageId);
    if (row.recalled_at !== null) throw new AppError('conflict', 'A recalled message cannot be saved.');
    if (row.burn_after_ms !== null) throw new AppError('conflict', 'A message that burns after reading cannot be saved: it is gone once read.');
    const wait = await this.messages.sendLimiter.take(actor.userId);
    if (wait > 0) throw sendRateLimited(this.messages.sendLimiter.ratePerSec, wait);
    const t = now();
    const { at, fresh } = await db.transaction().execute(async (trx) => {
      // One user's saves one at a time on PostgreSQL, so the cap holds for concurrent saves.
      if (this.deps.pg) await trx.selectFrom('users').select('id').where('id', '=', actor.userId).forUpdate().execute();
      const existing = await trx.selectFrom('saved_messages').select('saved_at').where('user_id', '=', actor.userId).where('message_id', '=', row.id).executeTakeFirst();
      if (existing) return { at: Number(existing.saved_at), fresh: false };
      const n = await trx
        .selectFrom('saved_messages')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('user_id', '=', actor.userId)
        .executeTakeFirstOrThrow();
      if (Number(n.n) >= MAX_SAVED) throw new AppError('conflict', `You can save at most ${MAX_SAVED} messages: unsave one first.`);
      await trx.insertInto('saved_messages').values({ user_id: actor.userId, message_id: row.id, saved_at: t }).execute();
      return { at: t, fresh: true };
    });
    const message = await this.messages.get(actor, messageId);
    const saved = { saved_at: iso(at), message };
    if (fresh) this.deps.publisher.toUser(actor.userId, { type: 'saved.changed', message_id: row.id, saved });
    return saved;
  }

  /** Unsaves a message; nothing happens when it was not saved. Needs no access to the message: the row is the user's own. */
  async unsave(actor: Actor, messageId: string): Promise<void> {
    const wait = await this.messages.sendLimiter.take(actor.userId);
    if (wait > 0) throw sendRateLimited(this.messages.sendLimiter.ratePerSec, wait);
    const res = await this.deps.db.deleteFrom('saved_messages').where('user_id', '=', actor.userId).where('message_id', '=', messageId).executeTakeFirst();
    if (Number(res.numDeletedRows) > 0) this.deps.publisher.toUser(actor.userId, { type: 'saved.changed', message_id: messageId, saved: null });
  }

  /** The actor's saved messages they may still read, last saved first. */
  async list(actor: Actor, q: SavedQuery): Promise<SavedPage> {
    const { db } = this.deps;
    const limit = Math.min(q.limit ?? 50, PAGE_MAX);
    let before: { at: number; id: string } | null = null;
    if (q.cursor !== undefined) {
      const m = CURSOR.exec(q.cursor);
      if (!m) throw new AppError('invalid_request', 'That cursor is not one this list gave.', { field: '/cursor' });
      before = { at: Number(m[1]), id: m[2]! };
    }
    let sel = db
      .selectFrom('saved_messages as s')
      .innerJoin('messages as m', 'm.id', 's.message_id')
      // Readable as history is: a membership (current or left) whose visible range holds the message.
      .innerJoin('members as mem', (j) => j.onRef('mem.conv_id', '=', 'm.conv_id').on('mem.user_id', '=', actor.userId))
      .selectAll('m')
      .select(['s.saved_at as s_saved_at', 'mem.left_seq as mem_left_seq'])
      .where('s.user_id', '=', actor.userId)
      .whereRef('m.seq', '>=', 'mem.visible_from_seq')
      .where((eb) => eb.or([eb('mem.left_seq', 'is', null), eb('m.seq', '<=', eb.ref('mem.left_seq'))]))
      .where('m.recalled_at', 'is', null)
      .where('m.burned_at', 'is', null)
      .where('m.expired_at', 'is', null);
    if (before) {
      const b = before;
      sel = sel.where((eb) => eb.or([eb('s.saved_at', '<', b.at), eb.and([eb('s.saved_at', '=', b.at), eb('s.message_id', '<', b.id)])]));
    }
    const rows = await sel
      .orderBy('s.saved_at', 'desc')
      .orderBy('s.message_id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    // A conversation the user left: its messages as they were when they left.
    const asOfByConv = new Map<string, AsOf>();
    const leftConvs = [...new Map(page.filter((r) => r.mem_left_seq !== null).map((r) => [r.conv_id, Number(r.mem_left_seq)])).entries()];
    if (leftConvs.length > 0) {
      const leaves = await db
        .selectFrom('events')
        .select(['conv_id', 'seq', 'created_at'])
        .where((eb) => eb.or(leftConvs.map(([conv, seq]) => eb.and([eb('conv_id', '=', conv), eb('seq', '=', seq)]))))
        .execute();
      const at = new Map(leaves.map((e) => [e.conv_id, Number(e.created_at)]));
      for (const [conv, seq] of leftConvs) asOfByConv.set(conv, { seq, at: at.get(conv) ?? 0 });
    }
    const messageRows: MessageRow[] = page.map(({ s_saved_at: _s, mem_left_seq: _l, ...m }) => normaliseMessage(m));
    const messages = await presentMessages(db, messageRows, (r) => asOfByConv.get(r.conv_id) ?? null);
    const saved = page.map((r, i) => ({ saved_at: iso(Number(r.s_saved_at)), message: messages[i]! }));
    const last = page.at(-1);
    return { saved, next_cursor: rows.length > limit && last ? `${Number(last.s_saved_at)}.${last.id}` : null };
  }
}
