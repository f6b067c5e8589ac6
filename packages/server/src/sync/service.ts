import { redactForMember, type EventsPage, type LogEvent, type SyncResult } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { accessConversation, myMemberships, visibleUpTo } from '../conversations/access.js';
import { assertCan, can, type ConvAccess } from '../conversations/policy.js';
import { presentConversations, type ToPresent } from '../conversations/presenter.js';
import { hydrateEvents } from './hydrate.js';
import { asOfLeaving, type AsOf } from '../messages/as-of.js';
import { prepared } from '../store/prepared.js';

/**
 * Resync: the client says the last seq it applied per conversation; the server answers which
 * conversations moved (or are new to it, or gone), and the client pulls the missing events in
 * pages with `events`. Used after every reconnect, restart or detected gap.
 */
export class SyncService {
  constructor(private readonly deps: Deps) {}

  /**
   * `eventsLimit` > 0: the answer also carries, for conversations that moved past a cursor the
   * client sent, the first page of events after it (at most that many each), so a client that
   * was briefly away catches up in one round trip instead of one `events` call per
   * conversation. At most INLINE_CONVERSATIONS pages, together under `syncPageBytes`; the
   * others, a conversation the member left, and the rest of a page with `has_more`, are paged
   * with `events` as before.
   */
  async sync(actor: Actor, cursors: Record<string, number>, eventsLimit = 0): Promise<SyncResult> {
    const { db } = this.deps;
    this.deps.metrics.resyncRequests.inc({ kind: 'sync' });
    const mine = new Set<string>();
    const moved: ToPresent[] = [];
    const inline: PageOf[] = [];
    for (const access of await myMemberships(db, actor.userId, true)) {
      const { conv, member, dmUserId } = access;
      mine.add(conv.id);
      const upTo = member!.left_seq ?? conv.last_seq;
      const known = cursors[conv.id];
      if (known === undefined ? member!.left_seq === null : known < upTo) {
        moved.push({ conv, member, dmUserId });
        if (eventsLimit > 0 && known !== undefined && member!.left_seq === null && inline.length < INLINE_CONVERSATIONS && can(actor, 'conversation.read', access)) {
          inline.push({ a: access, afterSeq: known });
        }
      }
    }
    const removed = Object.keys(cursors).filter((id) => !mine.has(id));
    const [conversations, pages] = await Promise.all([presentConversations(db, actor.userId, moved), inline.length > 0 ? this.pages(inline, eventsLimit, null) : []]);
    if (eventsLimit === 0) return { conversations, removed };
    const events: EventsPage[] = [];
    let bytes = 0;
    for (const p of pages) {
      if (events.length > 0 && bytes + p.bytes > this.deps.config.limits.syncPageBytes) break;
      bytes += p.bytes;
      events.push(p.page);
    }
    return { conversations, removed, events };
  }

  async events(actor: Actor, convId: string, afterSeq: number, limit = 200): Promise<EventsPage> {
    const { db } = this.deps;
    const a = await accessConversation(db, actor, convId);
    assertCan(actor, 'conversation.read', a);
    const [p] = await this.pages([{ a, afterSeq }], limit, await asOfLeaving(db, convId, a.member));
    this.deps.metrics.resyncRequests.inc({ kind: 'events' });
    this.deps.metrics.resyncEvents.inc(p!.page.events.length);
    return p!.page;
  }

  /**
   * A page of events after each cursor, messages read together for all of them. `asOf`: the
   * reader left (one conversation only). Each page is bounded in bytes as well as in count:
   * 1,000 long messages would otherwise be one frame of many MB; the client pages on from the
   * last event it got.
   */
  private async pages(items: PageOf[], limit: number, asOf: AsOf | null): Promise<{ page: EventsPage; bytes: number }[]> {
    const { db, config } = this.deps;
    const n = Math.min(limit, config.limits.historyPageMax * 5);
    const fetched = await Promise.all(
      items.map(async ({ a, afterSeq }) => {
        const upTo = visibleUpTo(a);
        const from = Math.max(afterSeq, a.member!.visible_from_seq - 1);
        const rows = await eventsAfter(db, { convId: a.conv.id, from, upTo, limit: n + 1 });
        return { a, upTo, rows: rows.slice(0, n), hasMore: rows.length > n };
      }),
    );
    const byConv = new Map<string, LogEvent[]>();
    for (const e of await hydrateEvents(
      db,
      fetched.flatMap((f) => f.rows),
      asOf,
    )) {
      const list = byConv.get(e.conv_id) ?? [];
      list.push(e);
      byConv.set(e.conv_id, list);
    }
    return fetched.map(({ a, upTo, hasMore }) => {
      const events = (byConv.get(a.conv.id) ?? []).map((e) => redactForMember(e, a.member!.visible_from_seq));
      let bytes = 0;
      let keep = events.length;
      for (let i = 0; i < events.length; i++) {
        const size = JSON.stringify(events[i]).length;
        if (bytes + size > config.limits.syncPageBytes && i > 0) {
          keep = i;
          break;
        }
        bytes += size;
      }
      return { page: { conv_id: a.conv.id, events: events.slice(0, keep), last_seq: upTo, has_more: hasMore || keep < events.length }, bytes };
    });
  }
}

/** Conversations whose first page of events one `sync` answer may carry. */
const INLINE_CONVERSATIONS = 50;

interface PageOf {
  a: ConvAccess;
  afterSeq: number;
}

const eventsAfter = prepared((db, p: { convId: string; from: number; upTo: number; limit: number }) =>
  db.selectFrom('events').selectAll().where('conv_id', '=', p.convId).where('seq', '>', p.from).where('seq', '<=', p.upTo).orderBy('seq').limit(p.limit),
);
