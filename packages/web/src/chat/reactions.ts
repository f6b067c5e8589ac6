import type { Message } from '@parley/protocol';

/**
 * How long a reaction click waits before it is sent. A second click on the same reaction within
 * it cancels the first: nothing is sent, and no add/remove pair lands in every member's log (the
 * log is append-only; an add once published can only be undone by another event).
 */
export const REACTION_SETTLE_MS = 400;

/** The message with my reaction `emoji` on or off, counts adjusted; the same object when nothing changes. */
export function withMyReaction(m: Message, emoji: string, on: boolean, me: string): Message {
  const r = m.reactions.find((x) => x.emoji === emoji);
  if ((r?.user_ids.includes(me) ?? false) === on) return m;
  const reactions = on
    ? r
      ? m.reactions.map((x) => (x === r ? { ...x, count: x.count + 1, user_ids: [...x.user_ids, me] } : x))
      : [...m.reactions, { emoji, count: 1, user_ids: [me] }]
    : m.reactions.flatMap((x) => (x !== r ? [x] : x.count > 1 ? [{ ...x, count: x.count - 1, user_ids: x.user_ids.filter((u) => u !== me) }] : []));
  return { ...m, reactions };
}

export const hasMyReaction = (m: Message, emoji: string, me: string): boolean => m.reactions.find((r) => r.emoji === emoji)?.user_ids.includes(me) ?? false;

/** A reaction the user asked for that has not reached the server yet. */
export interface ReactionWish {
  messageId: string;
  convId: string;
  emoji: string;
  /** What the server held when the first click came. */
  had: boolean;
  /** What the user wants now (shown at once). */
  want: boolean;
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}
