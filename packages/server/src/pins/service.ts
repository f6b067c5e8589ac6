import type { Message, PinsPage, PinsQuery } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { iso } from '../core/time.js';
import { accessConversation, visibleUpTo } from '../conversations/access.js';
import { appendEvent, readEvents } from '../conversations/log.js';
import { assertCan, can } from '../conversations/policy.js';
import { asOfLeaving } from '../messages/as-of.js';
import { normaliseMessage, presentMessages } from '../messages/presenter.js';
import type { MessagesService } from '../messages/service.js';
import { sendRateLimited } from '../messages/validate.js';

/** Pinned at once in one conversation: past it, something has to be unpinned first. */
export const MAX_PINS = 100;
const PAGE_MAX = 100;

/**
 * Pins: a message pinned to its conversation for every member to find. Pinning and unpinning are
 * log events (`message.pinned`) like a reaction, so every path (live, resync, history) shows the
 * message with its pin as it is now, and a member who left sees the pins of their leaving.
 */
export class PinsService {
  constructor(
    private readonly deps: Deps,
    private readonly messages: MessagesService,
  ) {}

  /**
   * Who may post in the conversation pins (never in an archived one). A pin is taken off by whoever
   * pinned it, by the conversation's or workspace's admins (as they recall), or in a DM by either
   * side. A recalled message has no pin; a burn-after-reading message never gets one: its content
   * is each reader's own. Charged to the send budget like a reaction: each change is pushed to
   * every member. Pinning a pinned message, or unpinning one that is not, changes nothing.
   */
  async change(actor: Actor, messageId: string, op: 'add' | 'remove'): Promise<Message> {
    const { db, now } = this.deps;
    const row = await this.messages.visible(actor, messageId);
    assertCan(actor, 'message.pin', row.access);
    if (op === 'add') {
      if (row.recalled_at !== null) throw new AppError('conflict', 'A recalled message cannot be pinned.');
      if (row.burn_after_ms !== null) throw new AppError('conflict', 'A message that burns after reading cannot be pinned: its content is each reader’s own.');
    }
    const wait = await this.messages.sendLimiter.take(actor.userId);
    if (wait > 0) throw sendRateLimited(this.messages.sendLimiter.ratePerSec, wait);
    const t = now();
    const events = await db.transaction().execute(async (trx) => {
      // The conversation's lock first (every log write takes it): a concurrent pin of the same
      // message, or its recall, waits here and then sees this one.
      const lock = trx.selectFrom('conversations').select('id').where('id', '=', row.conv_id);
      await (this.deps.pg ? lock.forUpdate() : lock).execute();
      const current = await trx.selectFrom('message_pins').select(['pinned_by', 'pin_seq']).where('message_id', '=', row.id).where('unpin_seq', 'is', null).executeTakeFirst();
      if (op === 'add') {
        if (current) return [];
        const still = await trx.selectFrom('messages').select(['recalled_at', 'expired_at']).where('id', '=', row.id).executeTakeFirst();
        // Past its retention since it was read (messages/retention.ts): as for an id that does not exist.
        if (!still || still.expired_at !== null) throw new AppError('not_found', 'No such message.');
        if (still.recalled_at !== null) throw new AppError('conflict', 'A recalled message cannot be pinned.');
        const pinned = await trx
          .selectFrom('message_pins')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('conv_id', '=', row.conv_id)
          .where('unpin_seq', 'is', null)
          .executeTakeFirstOrThrow();
        if (Number(pinned.n) >= MAX_PINS) throw new AppError('conflict', `A conversation holds at most ${MAX_PINS} pinned messages: unpin one first.`);
        const seq = await appendEvent(trx, { conv_id: row.conv_id, type: 'message.pinned', actor_id: actor.userId, message_id: row.id, data: { op }, now: t });
        await trx.insertInto('message_pins').values({ message_id: row.id, conv_id: row.conv_id, seq: row.seq, pinned_by: actor.userId, pinned_at: t, pin_seq: seq, unpin_seq: null }).execute();
        return readEvents(trx, row.conv_id, seq, seq);
      }
      if (!current) return [];
      if (current.pinned_by !== actor.userId && row.access.conv.kind !== 'dm' && !can(actor, 'message.recall_any', row.access)) {
        throw new AppError('forbidden', 'Only whoever pinned a message or an admin of the conversation can unpin it.');
      }
      const seq = await appendEvent(trx, { conv_id: row.conv_id, type: 'message.pinned', actor_id: actor.userId, message_id: row.id, data: { op }, now: t });
      // The row stays, closed: a member who left before this unpin still sees the pin.
      await trx.updateTable('message_pins').set({ unpin_seq: seq }).where('message_id', '=', row.id).where('pin_seq', '=', Number(current.pin_seq)).execute();
      return readEvents(trx, row.conv_id, seq, seq);
    });
    for (const e of events) this.deps.publisher.logEvent(e);
    return this.messages.get(actor, messageId);
  }

  /**
   * The conversation's pinned messages, newest pin first, over the actor's visible range exactly
   * as history is: a `since_join` member sees no pin of a message from before they joined, a
   * member who left sees the pins as they were when they left (and the messages as they were).
   */
  async list(actor: Actor, convId: string, q: PinsQuery): Promise<PinsPage> {
    const { db } = this.deps;
    const a = await accessConversation(db, actor, convId);
    assertCan(actor, 'conversation.read', a);
    const limit = Math.min(q.limit ?? 50, PAGE_MAX);
    const left = a.member!.left_seq;
    let sel = db.selectFrom('message_pins').selectAll().where('conv_id', '=', convId).where('seq', '>=', a.member!.visible_from_seq).where('seq', '<=', visibleUpTo(a));
    sel = left === null ? sel.where('unpin_seq', 'is', null) : sel.where('pin_seq', '<=', left).where((eb) => eb.or([eb('unpin_seq', 'is', null), eb('unpin_seq', '>', left)]));
    if (q.before_seq !== undefined) sel = sel.where('pin_seq', '<', q.before_seq);
    const rows = await sel
      .orderBy('pin_seq', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    if (page.length === 0) return { pins: [], has_more: false };
    const msgRows = await db
      .selectFrom('messages')
      .selectAll()
      .where(
        'id',
        'in',
        page.map((p) => p.message_id),
      )
      .execute();
    const messages = new Map((await presentMessages(db, msgRows.map(normaliseMessage), await asOfLeaving(db, convId, a.member))).map((m) => [m.id, m]));
    const pins = page.flatMap((p) => {
      const message = messages.get(p.message_id);
      return message ? [{ seq: Number(p.pin_seq), pinned_at: iso(Number(p.pinned_at)), pinned_by: p.pinned_by, message }] : [];
    });
    return { pins, has_more: rows.length > limit };
  }
}
