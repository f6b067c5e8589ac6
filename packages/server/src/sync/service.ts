import { redactForMember, type EventsPage, type SyncResult } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { accessConversation, myMemberships, visibleUpTo } from '../conversations/access.js';
import { assertCan } from '../conversations/policy.js';
import { presentConversations, type ToPresent } from '../conversations/presenter.js';
import { hydrateEvents } from './hydrate.js';
import { asOfLeaving } from '../messages/as-of.js';
import { prepared } from '../store/prepared.js';

/**
 * Resync: the client says the last seq it applied per conversation; the server answers which
 * conversations moved (or are new to it, or gone), and the client pulls the missing events in
 * pages with `events`. Used after every reconnect, restart or detected gap.
 */
export class SyncService {
  constructor(private readonly deps: Deps) {}

  async sync(actor: Actor, cursors: Record<string, number>): Promise<SyncResult> {
    const { db } = this.deps;
    const mine = new Set<string>();
    const moved: ToPresent[] = [];
    for (const { conv, member, dmUserId } of await myMemberships(db, actor.userId, true)) {
      mine.add(conv.id);
      const upTo = member!.left_seq ?? conv.last_seq;
      const known = cursors[conv.id];
      if (known === undefined ? member!.left_seq === null : known < upTo) moved.push({ conv, member, dmUserId });
    }
    const removed = Object.keys(cursors).filter((id) => !mine.has(id));
    return { conversations: await presentConversations(db, actor.userId, moved), removed };
  }

  async events(actor: Actor, convId: string, afterSeq: number, limit = 200): Promise<EventsPage> {
    const { db, config } = this.deps;
    const a = await accessConversation(db, actor, convId);
    assertCan(actor, 'conversation.read', a);
    const upTo = visibleUpTo(a);
    const from = Math.max(afterSeq, a.member!.visible_from_seq - 1);
    const n = Math.min(limit, config.limits.historyPageMax * 5);
    const rows = await eventsAfter(db, { convId, from, upTo, limit: n + 1 });
    const hasMore = rows.length > n;
    const visibleFrom = a.member!.visible_from_seq;
    const asOf = await asOfLeaving(db, convId, a.member);
    const events = (await hydrateEvents(db, rows.slice(0, n), asOf)).map((e) => redactForMember(e, visibleFrom));
    // Bounded in bytes as well as in count: 1,000 long messages would otherwise be one frame of
    // many MB. The client pages on from the last event it got.
    let bytes = 0;
    let keep = events.length;
    for (let i = 0; i < events.length; i++) {
      bytes += JSON.stringify(events[i]).length;
      if (bytes > config.limits.syncPageBytes && i > 0) {
        keep = i;
        break;
      }
    }
    return { conv_id: convId, events: events.slice(0, keep), last_seq: upTo, has_more: hasMore || keep < events.length };
  }
}

const eventsAfter = prepared((db, p: { convId: string; from: number; upTo: number; limit: number }) =>
  db.selectFrom('events').selectAll().where('conv_id', '=', p.convId).where('seq', '>', p.from).where('seq', '<=', p.upTo).orderBy('seq').limit(p.limit),
);
