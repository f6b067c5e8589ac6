/**
 * A window of one conversation's history, and the pure operations that keep it whole: pages
 * joined to it, live messages added at its end, a window opened around an old message. The
 * reducer's lists of messages and the web's timelines are both kept by these; this module
 * imports nothing but protocol types.
 */
import type { Message } from '@parley/protocol';

/**
 * A conversation's loaded messages (top-level and thread replies), sorted by seq. Invariant:
 * the list is complete from its oldest message to its newest, with no holes; and unless
 * `hasNewer`, its newest is the newest event applied, so older pages are prepended with
 * `before_seq` and live events are appended. A window opened around an older message (a link, a
 * search hit) has `hasNewer`: live events past it are left out, and newer pages are appended with
 * `after_seq` until the window reaches the present again.
 */
export interface Timeline {
  messages: Message[];
  /** False once a history page said there is nothing older. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** A window around an older message: newer messages exist beyond the last one held. */
  hasNewer: boolean;
  loadingNewer: boolean;
  /** The latest page was fetched (or restored from a cache that was consistent with the cursors). */
  loaded: boolean;
  /**
   * The client had a cursor for this conversation when the latest page was fetched, so every
   * later event reaches the list. A page fetched before the first resync is refetched after it.
   */
  anchored: boolean;
}

export const emptyTimeline = (): Timeline => ({ messages: [], hasOlder: true, loadingOlder: false, hasNewer: false, loadingNewer: false, loaded: false, anchored: false });

/** The index of the first message whose seq is at least `seq` (the list sorted by seq). */
export function lowerBound(list: readonly Message[], seq: number): number {
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

/** The two lists as one, sorted by seq; where both hold a seq, `msgs`'s copy wins. */
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

/**
 * The list with the message of that id replaced by `f` of it, and both copies; null when the list
 * does not hold it. `f` keeps the message's seq (an edit, a reaction, a reply count).
 */
export function updateById(list: readonly Message[], id: string, f: (m: Message) => Message): { messages: Message[]; old: Message; next: Message } | null {
  for (let i = list.length - 1; i >= 0; i--) {
    const old = list[i]!;
    if (old.id !== id) continue;
    const next = f(old);
    const messages = list.slice();
    messages[i] = next;
    return { messages, old, next };
  }
  return null;
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

/**
 * A live message: inserted, unless the timeline is a window that ends before it or starts after
 * it with older history not loaded (either would leave a hole).
 */
export function addLive(t: Timeline, msg: Message): Timeline {
  const last = t.messages.at(-1);
  if (t.hasNewer && last && msg.seq > last.seq) return t;
  const first = t.messages[0];
  if (t.hasOlder && first && msg.seq < first.seq) return t;
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
