/**
 * The client-side state of one user, and the pure reducer that applies server events to it.
 *
 * Rules (docs: ARCHITECTURE.md §2, protocol events.ts):
 * - Log events carry a gapless per-conversation `seq`. One with `seq <= appliedSeq` is a duplicate
 *   or a replay and is ignored (a windowed state's window may still take it: `replayIntoWindow`); one with `seq > appliedSeq + 1` means events were missed: it is
 *   not applied, the conversation is flagged in `needs` (`events`), and the SDK pulls the missing
 *   range (`GET /conversations/:id/events`) and feeds it back through `applyEventsPage`.
 * - Message events carry the message as it is *now*: applying one is an upsert ("set"), never an
 *   increment, so duplicates and replays converge.
 * - Derived fields of a conversation (`last_seq`, `unread_count`, `mention_count`,
 *   `last_message`) are recomputed from the reducer's own messages exactly as the server computes
 *   them (packages/server/src/conversations/presenter.ts).
 * - `conversation.added` carries the conversation but neither its history nor its member list;
 *   the conversation is flagged in `needs` (`history`) until the SDK loads both with
 *   `loadHistory`. Until then its derived counters stay as the server sent them (only `last_seq`
 *   follows the log), because a partial history cannot give exact counts.
 * - A windowed state (`createState(me, { windowed: true })`, what the web client keeps) holds a
 *   window of each conversation's history (`windows`, a Timeline: the latest page, more pages as
 *   the reader scrolls, or a window around an old message) instead of all of it. Its counters
 *   start as the server sent them and follow each event: a new message adds by the server's rule
 *   (`withLiveMessage`), an edit or recall of a message in the window by the difference it makes;
 *   where the window cannot tell (an edit of a message outside it, a read cursor that stops
 *   inside history it does not hold, expired history), the conversation is flagged `counts` and
 *   the client re-reads it (`refreshConversation`).
 *
 * This module imports nothing but protocol types: it runs in browsers as well as in Node.
 */
import {
  defaultNotifyLevel,
  isLogEvent,
  isMessageUpdate,
  type Conversation,
  type EphemeralMessage,
  type EventsPage,
  type LogEvent,
  type Member,
  type Message,
  type MessageCreatedEvent,
  type NotificationSettings,
  type Presence,
  type ReadEvent,
  type ServerEvent,
  type User,
} from '@parley/protocol';
import { countAll, countFrom, countOf, joinedMember, withChanges, withLiveMessage, withMuted } from './conversation.js';
import { addLive, emptyTimeline, lowerBound, mergeLatest, updateById, upsert, upsertMany, type Timeline } from './timeline.js';

/** What a conversation's local copy is missing, and so what the SDK must fetch. */
export interface ResyncNeeds {
  /** A gap in the log: pull events after `appliedSeq[conv]`. */
  events?: true;
  /** Added without history and members: load them (`loadHistory`). */
  history?: true;
  /** Windowed states: the counters could not be followed from the window; re-read the conversation (`refreshConversation`). */
  counts?: true;
}

export interface TypingState {
  thread_root_id: string | null;
  expires_in_ms: number;
}

export interface ClientState {
  /** The user this state belongs to. */
  me: string;
  conversations: Record<string, Conversation>;
  /** Per conversation: the messages this user may see (thread replies included), sorted by seq. Empty in a windowed state. */
  messages: Record<string, Message[]>;
  /** A windowed state's history: per conversation, the window of it held. Absent from a state that holds whole histories. */
  windows?: Record<string, Timeline>;
  /** Per conversation: its current members by user id. */
  members: Record<string, Record<string, Member>>;
  /** Per conversation: the highest log seq applied. */
  appliedSeq: Record<string, number>;
  /** Conversations whose local copy is incomplete, and what to fetch. */
  needs: Record<string, ResyncNeeds>;
  /** Log events seen for conversations the state does not know (the SDK should call `sync`). */
  unknown: Record<string, true>;
  /** Delivery cursors per conversation and user (DMs and groups only; not in the log). */
  delivered: Record<string, Record<string, number>>;
  /** Who is typing, per conversation and user (ephemeral; expiry is the UI's job). */
  typing: Record<string, Record<string, TypingState>>;
  presence: Record<string, Presence>;
  /** Per conversation: answers only this user sees (slash commands), oldest first, at most 50; not in the log, lost on reload. */
  ephemeral: Record<string, EphemeralMessage[]>;
  /** My Do Not Disturb and sounds, once a `notifications.updated` event (or the caller) set them. */
  notifications?: NotificationSettings;
}

/** One conversation as fetched over REST: the conversation, its whole visible history (or, for a windowed state, its latest page), its members. */
export interface ConversationSnapshot {
  conversation: Conversation;
  messages: readonly Message[];
  members: readonly Member[];
  /** Windowed states: the page said older messages exist (`has_more`). A whole history has none. */
  hasOlder?: boolean;
}

export function createState(me: string, opts: { windowed?: boolean } = {}): ClientState {
  return {
    me,
    conversations: {},
    messages: {},
    ...(opts.windowed ? { windows: {} } : {}),
    members: {},
    appliedSeq: {},
    needs: {},
    unknown: {},
    delivered: {},
    typing: {},
    presence: {},
    ephemeral: {},
  };
}

/**
 * Replaces one conversation with a fresh snapshot (initial load, or a full reload). Derived fields
 * are recomputed from the snapshot's messages, so they must agree with the server's.
 */
export function loadConversation(state: ClientState, snap: ConversationSnapshot): ClientState {
  const c = snap.conversation;
  const { [c.id]: _n, ...needs } = state.needs;
  const { [c.id]: _u, ...unknown } = state.unknown;
  const next: ClientState = {
    ...state,
    conversations: { ...state.conversations, [c.id]: c },
    ...withHistory(state, c.id, snap.messages, snap.hasOlder ?? false),
    members: { ...state.members, [c.id]: byUser(snap.members) },
    appliedSeq: { ...state.appliedSeq, [c.id]: c.last_seq },
    needs,
    unknown,
  };
  return recompute(next, c.id);
}

/** The fields that hold a conversation's history, with this history in them. */
function withHistory(state: ClientState, convId: string, messages: readonly Message[], hasOlder: boolean): Pick<ClientState, 'messages' | 'windows'> {
  if (!state.windows) return { messages: { ...state.messages, [convId]: sortBySeq(messages) } };
  return { messages: state.messages, windows: { ...state.windows, [convId]: mergeLatest(emptyTimeline(), messages, hasOlder, true) } };
}

/**
 * A windowed state takes the conversation as the server has it now (its counters and last
 * message), and clears the `counts` need — when the server's copy is as of the seq applied here;
 * otherwise events are still on their way, and it is left for after them.
 */
export function refreshConversation(state: ClientState, conv: Conversation): ClientState {
  if (!state.conversations[conv.id] || conv.last_seq !== (state.appliedSeq[conv.id] ?? 0)) return state;
  const { counts: _c, ...rest } = state.needs[conv.id] ?? {};
  const needs = { ...state.needs };
  if (rest.events || rest.history) needs[conv.id] = rest;
  else delete needs[conv.id];
  return { ...state, conversations: { ...state.conversations, [conv.id]: conv }, needs };
}

/** Builds a whole state from snapshots (what a client does on first start). */
export function stateFromSnapshots(me: string, snaps: readonly ConversationSnapshot[]): ClientState {
  let s = createState(me);
  for (const snap of snaps) s = loadConversation(s, snap);
  return s;
}

/**
 * Fills in the history and members of a conversation the state already holds (after
 * `conversation.added`), keeping the conversation object and the applied seq, and clears the
 * `history` need.
 */
export function loadHistory(state: ClientState, convId: string, messages: readonly Message[], members: readonly Member[], hasOlder = false): ClientState {
  if (!state.conversations[convId]) return state;
  const need = state.needs[convId];
  const needs = { ...state.needs };
  if (need?.events) needs[convId] = { events: true };
  else delete needs[convId];
  const next: ClientState = {
    ...state,
    ...withHistory(state, convId, messages, hasOlder),
    members: { ...state.members, [convId]: byUser(members) },
    needs,
  };
  return recompute(next, convId);
}

/**
 * Applies one page of `GET /conversations/:id/events` (a resync after a gap). The `events` need
 * is cleared once the page is the last one and the state has caught up with it.
 */
export function applyEventsPage(state: ClientState, page: EventsPage): ClientState {
  let s = state;
  for (const e of page.events) {
    // The page starts right after our cursor, so nothing in it is a gap: clear the flag first.
    s = applyLogEvent(s, e, true);
  }
  const need = s.needs[page.conv_id];
  if (need?.events && !page.has_more && (s.appliedSeq[page.conv_id] ?? 0) >= page.last_seq) {
    const needs = { ...s.needs };
    if (need.history) needs[page.conv_id] = { history: true };
    else delete needs[page.conv_id];
    s = { ...s, needs };
  }
  return s;
}

/**
 * true when `event` cannot be applied yet: a log event past the next expected seq (events were
 * missed), or one for a conversation the state does not know. The SDK resyncs first.
 */
export function hasGap(state: ClientState, event: ServerEvent): boolean {
  if (!isLogEvent(event)) return false;
  if (!state.conversations[event.conv_id]) return true;
  return event.seq > (state.appliedSeq[event.conv_id] ?? 0) + 1;
}

/** Applies one pushed event. Pure: returns a new state (or the same one when nothing changed). */
export function applyEvent(state: ClientState, event: ServerEvent): ClientState {
  switch (event.type) {
    case 'hidden':
    case 'message.created':
    case 'message.edited':
    case 'message.recalled':
    case 'message.burned':
    case 'messages.expired':
    case 'reaction.changed':
    case 'message.tagged':
    case 'message.pinned':
    case 'member.joined':
    case 'member.left':
    case 'member.role_changed':
    case 'conversation.updated':
      return applyLogEvent(state, event, false);
    case 'read':
      return applyRead(state, event.conv_id, event.user_id, event.read_seq);
    case 'delivered': {
      if (!state.conversations[event.conv_id]) return state;
      const cur = state.delivered[event.conv_id] ?? {};
      if ((cur[event.user_id] ?? -1) >= event.delivered_seq) return state;
      return { ...state, delivered: { ...state.delivered, [event.conv_id]: { ...cur, [event.user_id]: event.delivered_seq } } };
    }
    case 'typing': {
      const cur = state.typing[event.conv_id] ?? {};
      const { [event.user_id]: _old, ...rest } = cur;
      const next = event.active ? { ...rest, [event.user_id]: { thread_root_id: event.thread_root_id, expires_in_ms: event.expires_in_ms } } : rest;
      return { ...state, typing: { ...state.typing, [event.conv_id]: next } };
    }
    case 'presence':
      return { ...state, presence: { ...state.presence, [event.user_id]: { user_id: event.user_id, status: event.status, last_seen_at: event.last_seen_at } } };
    case 'conversation.added':
      return applyAdded(state, event.conversation);
    case 'user.updated':
      return applyUserUpdated(state, event.user);
    case 'session.revoked':
      // The transport closes the socket; nothing in the state changes.
      return state;
    case 'saved.changed':
      // Saved messages are the user's own list, not conversation state: the app keeps it (`Parley.saved()`).
      return state;
    case 'message.ephemeral':
      return applyEphemeral(state, event.message);
    case 'conversation.muted': {
      const c = withMuted(state.conversations[event.conv_id], event.muted, event.notify);
      return c ? setConv(state, c) : state;
    }
    case 'notifications.updated':
      return { ...state, notifications: event.settings };
    default: {
      // Exhaustiveness: a new event type in the protocol fails to compile here. At run time an
      // event from a newer server is ignored rather than crashing an older client.
      void (event satisfies never);
      return state;
    }
  }
}

/**
 * `applyEvent` for a conversation's log events and read cursors alone: what a client that keeps
 * the rest itself (the web) imports, so its bundle carries only these rules.
 */
export function applyConversationEvent(state: ClientState, event: LogEvent | ReadEvent): ClientState {
  return event.type === 'read' ? applyRead(state, event.conv_id, event.user_id, event.read_seq) : applyLogEvent(state, event, false);
}

/** Keeps an ephemeral answer once (the command's REST answer and its event carry the same id). */
export function applyEphemeral(state: ClientState, m: EphemeralMessage): ClientState {
  if (!state.conversations[m.conv_id]) return state;
  const cur = state.ephemeral[m.conv_id] ?? [];
  if (cur.some((x) => x.id === m.id)) return state;
  return { ...state, ephemeral: { ...state.ephemeral, [m.conv_id]: [...cur, m].slice(-50) } };
}

/** Applies many events in order. */
export function applyEvents(state: ClientState, events: Iterable<ServerEvent>): ClientState {
  let s = state;
  for (const e of events) s = applyEvent(s, e);
  return s;
}

// ---------------------------------------------------------------------------------------------

function applyLogEvent(state: ClientState, e: LogEvent, fromResync: boolean): ClientState {
  const conv = state.conversations[e.conv_id];
  if (!conv) {
    if (state.unknown[e.conv_id]) return state;
    return { ...state, unknown: { ...state.unknown, [e.conv_id]: true } };
  }
  const applied = state.appliedSeq[e.conv_id] ?? 0;
  if (e.seq <= applied) return state.windows ? replayIntoWindow(state, e) : state;
  if (e.seq > applied + 1 && !fromResync) {
    const need = state.needs[e.conv_id];
    if (need?.events) return state;
    return { ...state, needs: { ...state.needs, [e.conv_id]: { ...need, events: true } } };
  }
  let s: ClientState = { ...state, appliedSeq: { ...state.appliedSeq, [e.conv_id]: e.seq } };
  switch (e.type) {
    case 'hidden':
      // Only the cursor moves: the event touched history this member never had.
      return s;
    case 'message.created': {
      s = withThreadRoot(upsertMessage(s, e.message), e);
      // Applied once (the seq check above): it counts by the server's rule.
      if (s.windows) s = setConv(s, withLiveMessage(s.conversations[e.conv_id]!, e.message, s.me));
      break;
    }
    // A pin is the message's `pinned_at`/`pinned_by`: set with the message, as every message event.
    case 'message.edited':
    case 'message.recalled':
    case 'message.burned':
    case 'reaction.changed':
    case 'message.tagged':
    case 'message.pinned':
      if (s.windows) s = replaceInWindow(s, e.message);
      else s = upsertMessage(s, e.message);
      break;
    case 'messages.expired': {
      // Past the conversation's retention: every message up to `up_to_seq` is gone on the server,
      // and goes here too (the counters and last message follow in recompute).
      if (s.windows) {
        s = expireInWindow(s, e.conv_id, e.up_to_seq);
        break;
      }
      const list = s.messages[e.conv_id] ?? [];
      const kept = list.filter((m) => m.seq > e.up_to_seq);
      if (kept.length !== list.length) s = { ...s, messages: { ...s.messages, [e.conv_id]: kept } };
      break;
    }
    case 'member.joined': {
      s = setMembers(s, e.conv_id, { ...(s.members[e.conv_id] ?? {}), [e.user.id]: joinedMember(e) });
      s = setConv(s, { ...conv, member_count: e.member_count });
      if (e.user.id === s.me) {
        const c = s.conversations[e.conv_id]!;
        s = setConv(s, {
          ...c,
          membership: {
            role: e.role,
            joined_at: e.ts,
            visible_from_seq: c.history_visibility === 'full' ? 1 : e.seq,
            left_seq: null,
            read_seq: e.seq,
            // A rejoin keeps what the member chose before; a first join has the kind's default.
            muted: c.membership?.muted ?? false,
            notify: c.membership?.notify ?? defaultNotifyLevel(c.kind),
          },
        });
      }
      break;
    }
    case 'member.left': {
      const { [e.user_id]: _gone, ...rest } = s.members[e.conv_id] ?? {};
      s = setMembers(s, e.conv_id, rest);
      const c = { ...conv, member_count: e.member_count };
      if (e.user_id === s.me && c.membership) c.membership = { ...c.membership, left_seq: e.seq };
      s = setConv(s, c);
      if (e.user_id === s.me) {
        // Nothing after our leave point reaches us: typing indicators of the conversation go too.
        const { [e.conv_id]: _t, ...typing } = s.typing;
        s = { ...s, typing };
      }
      break;
    }
    case 'member.role_changed': {
      const m = s.members[e.conv_id]?.[e.user_id];
      if (m) s = setMembers(s, e.conv_id, { ...s.members[e.conv_id], [e.user_id]: { ...m, role: e.role } });
      if (e.user_id === s.me && conv.membership) s = setConv(s, { ...conv, membership: { ...conv.membership, role: e.role } });
      break;
    }
    case 'conversation.updated':
      s = setConv(s, withChanges(conv, e.changes));
      break;
    default: {
      void (e satisfies never);
      return state;
    }
  }
  return recompute(s, e.conv_id);
}

function applyRead(state: ClientState, convId: string, userId: string, readSeq: number): ClientState {
  const conv = state.conversations[convId];
  if (!conv) return state;
  let s = state;
  const m = s.members[convId]?.[userId];
  if (m && m.read_seq < readSeq) s = setMembers(s, convId, { ...s.members[convId], [userId]: { ...m, read_seq: readSeq } });
  if (userId === s.me && conv.membership && conv.membership.read_seq < readSeq) {
    s = setConv(s, { ...conv, membership: { ...conv.membership, read_seq: readSeq } });
    s = s.windows ? recountFromWindow(s, convId) : recompute(s, convId);
  }
  return s;
}

function applyAdded(state: ClientState, conv: Conversation): ClientState {
  const known = state.conversations[conv.id];
  const applied = state.appliedSeq[conv.id] ?? 0;
  // A late duplicate of the event for a conversation we are in and already past: nothing new.
  if (known?.membership && known.membership.left_seq === null && applied >= conv.last_seq) return state;
  const visibleFrom = conv.membership?.visible_from_seq ?? 1;
  const keep = (list: readonly Message[]) => list.filter((m) => m.seq >= visibleFrom && m.seq <= conv.last_seq);
  const window = state.windows?.[conv.id];
  const { [conv.id]: _u, ...unknown } = state.unknown;
  return {
    ...state,
    conversations: { ...state.conversations, [conv.id]: conv },
    ...(state.windows
      ? { windows: { ...state.windows, [conv.id]: window ? { ...window, messages: keep(window.messages) } : emptyTimeline() } }
      : { messages: { ...state.messages, [conv.id]: keep(state.messages[conv.id] ?? []) } }),
    members: { ...state.members, [conv.id]: state.members[conv.id] ?? {} },
    appliedSeq: { ...state.appliedSeq, [conv.id]: Math.max(applied, conv.last_seq) },
    needs: { ...state.needs, [conv.id]: { history: true } },
    unknown,
  };
}

/** A user's new profile in every member list that holds them (`user.updated`). */
export function applyUserUpdated(state: ClientState, user: User): ClientState {
  let members = state.members;
  for (const [convId, ms] of Object.entries(state.members)) {
    const m = ms[user.id];
    if (m) {
      if (members === state.members) members = { ...state.members };
      members[convId] = { ...ms, [user.id]: { ...m, user } };
    }
  }
  return members === state.members ? state : { ...state, members };
}

function setConv(state: ClientState, conv: Conversation): ClientState {
  return { ...state, conversations: { ...state.conversations, [conv.id]: conv } };
}

function setMembers(state: ClientState, convId: string, members: Record<string, Member>): ClientState {
  return { ...state, members: { ...state.members, [convId]: members } };
}

/** Upserts a message snapshot at its seq. Messages before the member's visible range are not stored. */
function upsertMessage(state: ClientState, msg: Message): ClientState {
  const conv = state.conversations[msg.conv_id];
  if (!conv) return state;
  const from = conv.membership?.visible_from_seq ?? 1;
  if (msg.seq < from) return state;
  if (state.windows) {
    const t = state.windows[msg.conv_id] ?? emptyTimeline();
    const next = addLive(t, msg);
    return next === t ? state : { ...state, windows: { ...state.windows, [msg.conv_id]: next } };
  }
  const list = state.messages[msg.conv_id] ?? [];
  const next = upsert(list, msg);
  return next === list ? state : { ...state, messages: { ...state.messages, [msg.conv_id]: next } };
}

/**
 * Windowed: a newer copy of a message replaces the one held, and the counters move by the
 * difference it makes (an edit that adds a mention, a recall of an unread message). A copy of a
 * message outside the window that could have changed them asks for a re-read instead.
 */
function replaceInWindow(state: ClientState, msg: Message): ClientState {
  const conv = state.conversations[msg.conv_id];
  const t = state.windows?.[msg.conv_id];
  if (!conv || !t) return state;
  const hit = updateById(t.messages, msg.id, () => msg);
  const old = hit?.old;
  let s = hit ? { ...state, windows: { ...state.windows, [msg.conv_id]: { ...t, messages: hit.messages } } } : state;
  let c = conv.last_message?.id === msg.id ? { ...conv, last_message: msg } : conv;
  const from = countFrom(c);
  const after = countOf(msg, s.me, from);
  if (old) {
    const before = countOf(old, s.me, from);
    if (after.unread !== before.unread || after.mention !== before.mention) {
      c = { ...c, unread_count: c.unread_count + after.unread - before.unread, mention_count: c.mention_count + after.mention - before.mention };
    }
  } else if (msg.seq > from && msg.sender_id !== s.me) s = needCounts(s, msg.conv_id);
  return c === conv ? s : setConv(s, c);
}

/**
 * Windowed: an event at or below the applied seq is one the counters already hold — the
 * conversation was re-read from the server ahead of its events (`loadConversation` of a newer
 * copy) — but the window, loaded before, may not. Only the window moves: a message it lacks is
 * added, a copy it holds is replaced (later events, arriving in order, carry the newer copies),
 * expired history leaves it. The conversation, its counters and its members stay as re-read.
 */
function replayIntoWindow(state: ClientState, e: LogEvent): ClientState {
  const t = state.windows?.[e.conv_id];
  if (!t) return state;
  if (isMessageUpdate(e)) return patchMessage(state, e.conv_id, e.message.id, () => e.message);
  switch (e.type) {
    case 'message.created': {
      if (t.messages[lowerBound(t.messages, e.message.seq)]?.id === e.message.id) return state;
      return withThreadRoot(upsertMessage(state, e.message), e);
    }
    case 'messages.expired': {
      const kept = t.messages.filter((m) => m.seq > e.up_to_seq);
      return kept.length === t.messages.length ? state : { ...state, windows: { ...state.windows, [e.conv_id]: { ...t, messages: kept } } };
    }
    default:
      return state;
  }
}

/** Windowed: expired history leaves the window; counters over it are re-read unless all of it was read. */
function expireInWindow(state: ClientState, convId: string, upTo: number): ClientState {
  const conv = state.conversations[convId];
  const t = state.windows?.[convId];
  if (!conv || !t) return state;
  let s: ClientState = { ...state, windows: { ...state.windows, [convId]: { ...t, messages: t.messages.filter((m) => m.seq > upTo) } } };
  // The last message is the newest top-level one: if it expired, every top-level one did.
  if (conv.last_message && conv.last_message.seq <= upTo) s = setConv(s, { ...conv, last_message: null });
  if (countFrom(conv) < upTo && (conv.unread_count > 0 || conv.mention_count > 0)) s = needCounts(s, convId);
  return s;
}

/**
 * Windowed: counters after my read cursor moved. Exact when the window reaches back to the cursor
 * and on to the end of the log (it then holds every message that can count); a re-read otherwise.
 */
function recountFromWindow(state: ClientState, convId: string): ClientState {
  const conv = state.conversations[convId]!;
  const t = state.windows?.[convId];
  const from = countFrom(conv);
  const upTo = conv.membership?.left_seq ?? state.appliedSeq[convId] ?? conv.last_seq;
  if (from >= upTo) return conv.unread_count === 0 && conv.mention_count === 0 ? state : setConv(state, { ...conv, unread_count: 0, mention_count: 0 });
  const first = t?.messages[0];
  if (!t || t.hasNewer || !first || (first.seq > from && t.hasOlder)) return needCounts(state, convId);
  const { unread, mentions } = countAll(t.messages, state.me, from, upTo);
  return setConv(state, { ...conv, unread_count: unread, mention_count: mentions });
}

function needCounts(state: ClientState, convId: string): ClientState {
  const need = state.needs[convId];
  if (need?.counts) return state;
  return { ...state, needs: { ...state.needs, [convId]: { ...need, counts: true } } };
}

/** A reply's thread root, held, takes the reply count and last reply time its event carries. */
function withThreadRoot(state: ClientState, e: MessageCreatedEvent): ClientState {
  const root = e.thread_root;
  return root ? patchMessage(state, e.conv_id, root.id, (m) => ({ ...m, reply_count: root.reply_count, last_reply_at: root.last_reply_at })) : state;
}

function patchMessage(state: ClientState, convId: string, id: string, f: (m: Message) => Message): ClientState {
  const t = state.windows?.[convId];
  if (t) {
    const hit = updateById(t.messages, id, f);
    return hit ? { ...state, windows: { ...state.windows, [convId]: { ...t, messages: hit.messages } } } : state;
  }
  const hit = updateById(state.messages[convId] ?? [], id, f);
  return hit ? { ...state, messages: { ...state.messages, [convId]: hit.messages } } : state;
}

function sortBySeq(messages: readonly Message[]): Message[] {
  return upsertMany([], messages);
}

function byUser(members: readonly Member[]): Record<string, Member> {
  const out: Record<string, Member> = {};
  for (const m of members) out[m.user.id] = m;
  return out;
}

/**
 * The server's derived fields, from our own messages (presenter.ts): counts cover messages from
 * others, not recalled, after max(read_seq, visible_from_seq - 1), up to the leave seq or the end
 * of the log; unread counts top-level messages only, mentions (of me or of the whole channel)
 * count thread replies too; the last message is the latest visible top-level message (recalled
 * ones included, as tombstones).
 */
function recompute(state: ClientState, convId: string): ClientState {
  const conv = state.conversations[convId];
  if (!conv) return state;
  const m = conv.membership;
  if (!m) return conv.unread_count === 0 && conv.mention_count === 0 && conv.last_message === null ? state : setConv(state, { ...conv, unread_count: 0, mention_count: 0, last_message: null });
  const upTo = m.left_seq ?? state.appliedSeq[convId] ?? conv.last_seq;
  if (state.needs[convId]?.history || state.windows) {
    // History not loaded yet, or only a window of it: keep the counters (a windowed state moves
    // them as each event arrives), follow the log's end only.
    return conv.last_seq === upTo ? state : setConv(state, { ...conv, last_seq: upTo });
  }
  const messages = state.messages[convId] ?? [];
  const { unread, mentions } = countAll(messages, state.me, countFrom(conv), upTo);
  let last: Message | null = null;
  for (let i = messages.length - 1; i >= 0 && messages[i]!.seq >= m.visible_from_seq; i--) {
    const msg = messages[i]!;
    if (msg.seq <= upTo && msg.thread_root_id === null) {
      last = msg;
      break;
    }
  }
  return setConv(state, { ...conv, last_seq: upTo, unread_count: unread, mention_count: mentions, last_message: last });
}
