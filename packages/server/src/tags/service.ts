import type { Message, TagCount } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { accessConversation, visibleUpTo } from '../conversations/access.js';
import { appendEvent, readEvents } from '../conversations/log.js';
import { assertCan, can } from '../conversations/policy.js';
import type { MessagesService } from '../messages/service.js';
import { sendRateLimited } from '../messages/validate.js';
import type { Db } from '../store/db.js';
import { MAX_MESSAGE_TAGS, normaliseTag, parseTags } from './parse.js';

const MAX_LISTED = 500;

/**
 * A message's tags after an edit: those its new body names, plus those added to it afterwards
 * (by `/tag` or by the integration that posted it), which an edit keeps.
 */
export async function retagBody(trx: Db, row: { id: string; conv_id: string; seq: number }, body: string, at: number): Promise<void> {
  const wanted = parseTags(body);
  const have = await trx.selectFrom('message_tags').select(['tag', 'added_by']).where('message_id', '=', row.id).execute();
  const gone = have.filter((h) => h.added_by === null && !wanted.includes(h.tag)).map((h) => h.tag);
  if (gone.length > 0) await trx.deleteFrom('message_tags').where('message_id', '=', row.id).where('tag', 'in', gone).execute();
  const fresh = wanted.filter((w) => !have.some((h) => h.tag === w));
  if (fresh.length > 0) {
    await trx
      .insertInto('message_tags')
      .values(fresh.map((tag) => ({ message_id: row.id, conv_id: row.conv_id, seq: row.seq, tag, added_by: null, created_at: at })))
      .execute();
  }
}

/**
 * Tags added to a message after it was sent (`/tag bug`), and a conversation's tags with counts.
 * Adding or removing one is a log event (`message.tagged`) like a reaction: every path (live,
 * resync, history) shows the message with its tags as they are now.
 */
export class TagsService {
  constructor(
    private readonly deps: Deps,
    private readonly messages: MessagesService,
  ) {}

  /**
   * Members who may react may tag. A tag from the message's text is removed by editing the text;
   * one added afterwards by whoever added it, the message's sender, or a moderator.
   * Charged to the send budget like a reaction: each change is pushed to every member.
   */
  async change(actor: Actor, messageId: string, rawTag: string, op: 'add' | 'remove'): Promise<Message> {
    const { db, now } = this.deps;
    const tag = normaliseTag(rawTag);
    const row = await this.messages.visible(actor, messageId);
    assertCan(actor, 'message.tag', row.access);
    if (row.recalled_at !== null) throw new AppError('conflict', 'A recalled message cannot be tagged.');
    if (row.burn_after_ms !== null) throw new AppError('conflict', 'A message that burns after reading cannot be tagged.');
    const wait = await this.messages.sendLimiter.take(actor.userId);
    if (wait > 0) throw sendRateLimited(this.messages.sendLimiter.ratePerSec, wait);
    const t = now();
    const events = await db.transaction().execute(async (trx) => {
      // The conversation's lock first (appendEvent takes it), as every message write does.
      const existing = await trx.selectFrom('message_tags').select(['tag', 'added_by']).where('message_id', '=', row.id).execute();
      const mine = existing.find((e) => e.tag === tag);
      if (op === 'add') {
        if (mine) return [];
        if (existing.length >= MAX_MESSAGE_TAGS) throw new AppError('invalid_request', `A message carries at most ${MAX_MESSAGE_TAGS} tags.`, { field: '/tag' });
      } else {
        if (!mine) return [];
        if (mine.added_by === null) throw new AppError('conflict', `#${tag} is in the message's text: edit the message to remove it.`);
        if (mine.added_by !== actor.userId && row.sender_id !== actor.userId && !can(actor, 'message.recall_any', row.access)) {
          throw new AppError('forbidden', 'Only whoever added a tag, the message’s sender or a moderator can remove it.');
        }
      }
      const seq = await appendEvent(trx, { conv_id: row.conv_id, type: 'message.tagged', actor_id: actor.userId, message_id: row.id, data: { tag, op }, now: t });
      if (op === 'add') await trx.insertInto('message_tags').values({ message_id: row.id, conv_id: row.conv_id, seq: row.seq, tag, added_by: actor.userId, created_at: t }).execute();
      else await trx.deleteFrom('message_tags').where('message_id', '=', row.id).where('tag', '=', tag).execute();
      return readEvents(trx, row.conv_id, seq, seq);
    });
    for (const e of events) this.deps.publisher.logEvent(e);
    return this.messages.get(actor, messageId);
  }

  /** The conversation's tags over the messages the actor may read, most used first. */
  async list(actor: Actor, convId: string): Promise<TagCount[]> {
    const { db } = this.deps;
    const a = await accessConversation(db, actor, convId);
    assertCan(actor, 'conversation.read', a);
    const rows = await db
      .selectFrom('message_tags')
      .select((eb) => ['tag', eb.fn.countAll<number | string>().as('n'), eb.fn.max('seq').as('last_seq')])
      .where('conv_id', '=', convId)
      .where('seq', '>=', a.member!.visible_from_seq)
      .where('seq', '<=', visibleUpTo(a))
      .groupBy('tag')
      .orderBy('n', 'desc')
      .orderBy('tag')
      .limit(MAX_LISTED)
      .execute();
    return rows.map((r) => ({ tag: r.tag, count: Number(r.n), last_seq: Number(r.last_seq) }));
  }
}
