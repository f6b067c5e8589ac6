import type { Message } from '@parley/protocol';
import type { Timeline } from './types';

export const emptyTimeline = (): Timeline => ({ messages: [], hasOlder: true, loadingOlder: false, hasNewer: false, loadingNewer: false, loaded: false, anchored: false });

function lowerBound(list: readonly Message[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts or replaces by seq (a message's seq never changes, its content may). */
export function upsert(list: readonly Message[], msg: Message): Message[] {
  const i = lowerBound(list, msg.seq);
  const next = list.slice();
  if (list[i]?.seq === msg.seq) {
    if (list[i] === msg) return list as Message[];
    next[i] = msg;
  } else next.splice(i, 0, msg);
  return next;
}

export function upsertMany(list: readonly Message[], msgs: readonly Message[]): Message[] {
  if (msgs.length === 0) return list as Message[];
  const bySeq = new Map<number, Message>();
  for (const m of list) bySeq.set(m.seq, m);
  for (const m of msgs) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Replaces a message we already hold (edits, reactions, recalls); never inserts, so no hole appears. */
export function replaceIfPresent(list: readonly Message[], msg: Message): Message[] | null {
  const i = lowerBound(list, msg.seq);
  if (list[i]?.id !== msg.id) return null;
  const next = list.slice();
  next[i] = msg;
  return next;
}

export function findById(list: readonly Message[], id: string): Message | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.id === id) return list[i];
  return undefined;
}

/**
 * Merges the latest page into what we hold. When the page is full and starts after our newest
 * message, messages may be missing in between: keep the page alone rather than show a hole.
 */
export function mergeLatest(t: Timeline, page: readonly Message[], hasMore: boolean, anchored: boolean): Timeline {
  const existing = t.messages;
  const first = page[0];
  const last = existing.at(-1);
  if (first && last && hasMore && first.seq > last.seq) {
    return { ...t, messages: page.slice(), hasOlder: true, hasNewer: false, loaded: true, anchored };
  }
  const merged = upsertMany(existing, page);
  const pageReachesOlder = !first || !existing[0] || first.seq <= existing[0].seq;
  return { ...t, messages: merged, hasOlder: pageReachesOlder ? hasMore : t.hasOlder, hasNewer: false, loaded: true, anchored };
}

/** A live message: inserted, unless the timeline is a window that ends before it (it would leave a hole). */
export function addLive(t: Timeline, msg: Message): Timeline {
  const last = t.messages.at(-1);
  if (t.hasNewer && last && msg.seq > last.seq) return t;
  const messages = upsert(t.messages, msg);
  return messages === t.messages ? t : { ...t, messages };
}

/**
 * Puts a window of messages around a seq (`before` ends with it, `after` follows it) into the
 * timeline. It joins what is held when the two overlap or the window reaches the newest message;
 * otherwise it replaces it, since keeping both would leave a hole between them.
 */
export function mergeAround(t: Timeline, before: readonly Message[], beforeHasMore: boolean, after: readonly Message[], afterHasMore: boolean, anchored: boolean): Timeline {
  const window = upsertMany(before, after);
  const [wFirst, wLast] = [window[0], window.at(-1)];
  const [hFirst, hLast] = [t.messages[0], t.messages.at(-1)];
  // Joined only where they overlap: seqs have gaps (other events take some), so adjacency proves nothing.
  if (t.loaded && wFirst && wLast && hFirst && hLast && wFirst.seq <= hLast.seq && wLast.seq >= hFirst.seq) {
    return {
      ...t,
      messages: upsertMany(t.messages, window),
      hasOlder: wFirst.seq < hFirst.seq ? beforeHasMore : t.hasOlder,
      hasNewer: wLast.seq > hLast.seq ? afterHasMore : t.hasNewer,
      loaded: true,
    };
  }
  return { ...t, messages: window, hasOlder: beforeHasMore, loadingOlder: false, hasNewer: afterHasMore, loadingNewer: false, loaded: true, anchored };
}
