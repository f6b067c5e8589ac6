import type { LogEvent, ReadEvent, UserUpdatedEvent } from '@parley/protocol';
import { applyConversationEvent, applyUserUpdated, createState, emptyTimeline, type ClientState } from '@parley/sdk';
import type { ChatState } from './types';

/** The events that move a conversation's state: its log, and read cursors. */
export type ConversationEvent = LogEvent | ReadEvent;

type Held = Pick<ChatState, 'conversations' | 'timelines' | 'members' | 'countsAsOf'>;

export interface Applied extends Held {
  /** New to the counters, not a replay of what they already hold: it may notify. */
  fresh: boolean;
  /** The counters cannot be followed from what this page holds: re-read the conversation. */
  reread: boolean;
}

/**
 * Applies one event to the page's conversations, timelines and members with the SDK's reducer —
 * the same rules the sync-correctness suite checks against a real server (a windowed state, as
 * here) — so the web holds no second copy of them.
 *
 * The page's state maps onto the reducer's: `timelines` are its windows, and `countsAsOf` its
 * applied seq (the seq up to which the counters are exact). Where the page knows less than a
 * reducer state would, the difference is made here:
 * - a conversation re-read from the server ahead of its events has counters past the event: the
 *   event is a replay, which the reducer takes into the window only;
 * - counters exact only up to a seq before the event's predecessor (a cache older than the
 *   SDK's cursor) cannot count it exactly: it is applied as the next event, and the conversation
 *   re-read;
 * - members are held only for conversations whose list was loaded; an event does not start a
 *   partial list;
 * - a conversation never opened has no timeline; an event that cannot add a message to one does
 *   not create it.
 */
export function applyToChat(s: Held, me: string, e: ConversationEvent): Applied {
  const convId = e.conv_id;
  const conv = s.conversations[convId];
  // A conversation the page has not heard of yet: nothing to apply it to (the store re-reads it).
  if (!conv) return { ...s, fresh: false, reread: false };
  const counted = s.countsAsOf[convId];
  const log = e.type !== 'read';
  // The counters' seq as the reducer sees it: one before the event when the page does not know better.
  const behind = log && (counted === undefined || counted < e.seq - 1);
  const applied = log ? (behind ? e.seq - 1 : counted!) : (counted ?? conv.last_seq);
  const hadTimeline = s.timelines[convId] !== undefined;
  const view: ClientState = {
    ...createState(me, { windowed: true }),
    conversations: s.conversations,
    windows: hadTimeline ? s.timelines : { ...s.timelines, [convId]: emptyTimeline() },
    members: s.members,
    appliedSeq: { [convId]: applied },
  };
  const next = applyConversationEvent(view, e);
  const window = next.windows![convId]!;
  const fresh = log && e.seq > applied;
  return {
    conversations: next.conversations,
    timelines: hadTimeline || window.messages.length > 0 ? next.windows! : s.timelines,
    members: s.members[convId] === undefined ? s.members : next.members,
    countsAsOf: fresh ? { ...s.countsAsOf, [convId]: next.appliedSeq[convId]! } : s.countsAsOf,
    fresh,
    reread: next.needs[convId]?.counts === true || (fresh && counted !== undefined && behind),
  };
}

/** A user's new name, picture or status, in every member list that holds them (the reducer's rule). */
export function membersWithUser(members: ChatState['members'], me: string, e: UserUpdatedEvent): ChatState['members'] {
  return applyUserUpdated({ ...createState(me, { windowed: true }), members }, e.user).members;
}
