import type { EphemeralMessage } from '@parley/protocol';

/** A conversation keeps at most this many answers only its reader sees (as the SDK's state does). */
export const MAX_EPHEMERAL = 50;

/**
 * Adds an answer only this user sees to a conversation's list: once, however it arrived (the
 * REST answer of `/commands/run` and the `message.ephemeral` event carry the same id), ordered by
 * `created_at`, the oldest dropped beyond MAX_EPHEMERAL. Returns the list itself when unchanged.
 */
export function withEphemeral(list: readonly EphemeralMessage[] | undefined, m: EphemeralMessage): readonly EphemeralMessage[] {
  const cur = list ?? [];
  if (cur.some((x) => x.id === m.id)) return cur;
  const at = Date.parse(m.created_at);
  let i = cur.length;
  while (i > 0 && Date.parse(cur[i - 1]!.created_at) > at) i--;
  return [...cur.slice(0, i), m, ...cur.slice(i)].slice(-MAX_EPHEMERAL);
}

/** The answers shown in one place: the conversation itself (`null`) or one thread. */
export function ephemeralIn(list: readonly EphemeralMessage[] | undefined, threadRootId: string | null): EphemeralMessage[] {
  return (list ?? []).filter((m) => m.thread_root_id === threadRootId);
}
