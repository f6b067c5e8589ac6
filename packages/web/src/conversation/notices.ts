import { useSyncExternalStore } from 'react';
import type { LogEvent, NoticesPage } from '@parley/protocol';
import type { Parley } from '@parley/sdk';

/** A log event the timeline shows as a line of its own ("Bob joined", "Alice renamed the channel"). */
export type Notice = Extract<LogEvent, { type: 'member.joined' | 'member.left' | 'member.role_changed' | 'conversation.updated' }>;

export const isNotice = (e: { type: string }): e is Notice => e.type === 'member.joined' || e.type === 'member.left' || e.type === 'member.role_changed' || e.type === 'conversation.updated';

/** Whether the timeline draws a line for it: purpose and history-visibility changes it leaves to the details panel. */
export const drawsLine = (n: Notice): boolean =>
  n.type !== 'conversation.updated' || !!n.changes.name || n.changes.topic !== undefined || n.changes.archived !== undefined || n.changes.retention_days !== undefined;

interface Held {
  /** In seq order, one per seq. */
  notices: Notice[];
  /** Every notice from this seq on is held (live ones added as they come); null: nothing fetched yet. */
  from: number | null;
  fetching: boolean;
}

const NONE: Notice[] = [];

/**
 * The timeline's notice lines, per conversation: the same log events, with the same seqs, as
 * everything else, fetched for the span the list shows (`GET /conversations/:id/notices`) and
 * added to as live and resync events arrive (the store hands every log event to `apply`). Kept
 * beside the message timeline rather than in it, so a page of messages is unchanged; the rows
 * (rows.ts) place each line between messages by seq.
 */
export class NoticesFeed {
  private held = new Map<string, Held>();
  private listeners = new Set<() => void>();

  constructor(private readonly client: () => Parley) {}

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  of(convId: string): Notice[] {
    return this.held.get(convId)?.notices ?? NONE;
  }

  /** A live or replayed log event: a notice is kept once its conversation's notices were asked for. */
  apply(e: LogEvent): void {
    if (!isNotice(e)) return;
    const h = this.held.get(e.conv_id);
    if (!h || h.notices.some((n) => n.seq === e.seq)) return;
    this.put(e.conv_id, { ...h, notices: merge(h.notices, [e]) });
  }

  /** Makes sure every notice from `fromSeq` on is held (fetched once per span; older spans as the list pages back). */
  ensure(convId: string, fromSeq: number): void {
    const h = this.held.get(convId) ?? { notices: NONE, from: null, fetching: false };
    if (h.fetching || (h.from !== null && h.from <= fromSeq)) return;
    this.put(convId, { ...h, fetching: true });
    const query = new URLSearchParams({ after_seq: String(Math.max(0, fromSeq - 1)) });
    if (h.from !== null) query.set('before_seq', String(h.from));
    this.client()
      .rest.request<NoticesPage>('GET', `/conversations/${convId}/notices?${query.toString()}`)
      .then((page) => {
        const cur = this.held.get(convId) ?? h;
        const got = page.notices.filter(isNotice);
        // Capped at the newest: what lies before the oldest one returned is asked for when shown.
        const from = page.has_more && got[0] ? got[0].seq : fromSeq;
        this.put(convId, { notices: merge(cur.notices, got), from: Math.min(from, cur.from ?? from), fetching: false });
      })
      .catch(() => {
        const cur = this.held.get(convId);
        if (cur) this.put(convId, { ...cur, fetching: false });
      });
  }

  private put(convId: string, h: Held): void {
    this.held.set(convId, h);
    for (const l of this.listeners) l();
  }
}

function merge(a: readonly Notice[], b: readonly Notice[]): Notice[] {
  const bySeq = new Map<number, Notice>();
  for (const n of a) bySeq.set(n.seq, n);
  for (const n of b) bySeq.set(n.seq, n);
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

export function useNotices(feed: NoticesFeed, convId: string): Notice[] {
  return useSyncExternalStore(feed.subscribe, () => feed.of(convId));
}
