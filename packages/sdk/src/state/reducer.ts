/**
 * The client-side state of one user, and the pure reducer that applies server events to it.
 *
 * Rules (docs: ARCHITECTURE.md §2, protocol events.ts):
 * - Log events carry a gapless per-conversation `seq`. One with `seq <= appliedSeq` is a duplicate
 *   or a replay and is ignored; one with `seq > appliedSeq + 1` means events were missed: it is
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
 *
 * This module imports nothing but protocol types: it runs in browsers as well as in Node.
 */
import { isLogEvent, type Conversation, type EphemeralMessage, type EventsPage, type LogEvent, type Member, type Message, type Presence, type ServerEvent, type User } from '@parley/protocol';

/** What a conversation's local copy is missing, and so what the SDK must fetch. */
export interface ResyncNeeds {
  /** A gap in the log: pull events after `appliedSeq[conv]`. */
  events?: true;
  /** Added without history and members: load them (`loadHistory`). */
  history?: true;
}

export interface TypingState {
  thread_root_id: string | null;
  expires_in_ms: number;
}

export interface ClientState {
  /** The user this state belongs to. */
  me: string;
  conversations: Record<string, Conversation>;
  /** Per conversation: the messages this user may see (thread replies included), sorted by seq. */
  messages: Record<string, Message[]>;
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
}

/** One conversation as fetched over REST: the conversation, its whole visible history, its members. */
export interface ConversationSnapshot {
  conversation: Conversation;
  messages: readonly Message[];
  members: readonly Member[];
}

export function createState(me: string): ClientState {
  return { me, conversations: {}, messages: {}, members: {}, appliedSeq: {}, needs: {}, unknown: {}, delivered: {}, typing: {}, presence: {}, ephemeral: {} };
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
    messages: { ...state.messages, [c.id]: sortBySeq(snap.messages) },
    members: { ...state.members, [c.id]: byUser(snap.members) },
    appliedSeq: { ...state.appliedSeq, [c.id]: c.last_seq },
    needs,
    unknown,
  };
  return recompute(next, c.id);
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
export function loadHistory(state: ClientState, convId: string, messages: readonly Message[], members: readonly Member[]): ClientState {
  if (!state.conversations[convId]) return state;
  const need = state.needs[convId];
  const needs = { ...state.needs };
  if (need?.events) needs[convId] = { events: true };
  else delete needs[convId];
  const next: ClientState = {
    ...state,
    messages: { ...state.messages, [convId]: sortBySeq(messages) },
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
    case 'reaction.changed':
    case 'message.tagged':
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
    case 'message.ephemeral':
      return applyEphemeral(state, event.message);
    case 'conversation.muted': {
      const c = state.conversations[event.conv_id];
      if (!c?.membership || c.membership.muted === event.muted) return state;
      return { ...state, conversations: { ...state.conversations, [c.id]: { ...c, membership: { ...c.membership, muted: event.muted } } } };
    }
    default: {
      // Exhaustiveness: a new event type in the protocol fails to compile here. At run time an
      // event from a newer server is ignored rather than crashing an older client.
      void (event satisfies never);
      return state;
    }
  }
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
  if (e.seq <= applied) return state;
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
      s = upsertMessage(s, e.message);
      if (e.thread_root) {
        const root = e.thread_root;
        s = patchMessage(s, e.conv_id, root.id, (m) => ({ ...m, reply_count: root.reply_count, last_reply_at: root.last_reply_at }));
      }
      break;
    }
    case 'message.edited':
    case 'message.recalled':
    case 'reaction.changed':
    case 'message.tagged':
      s = upsertMessage(s, e.message);
      break;
    case 'member.joined': {
      const member: Member = { user: e.user, role: e.role, joined_at: e.ts, read_seq: e.seq };
      s = setMembers(s, e.conv_id, { ...(s.members[e.conv_id] ?? {}), [e.user.id]: member });
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
            // A rejoin keeps what the member chose before; a first join is not muted.
            muted: c.membership?.muted ?? false,
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
    case 'conversation.updated': {
      const ch = e.changes;
      const c = { ...conv };
      if (ch.name !== undefined) c.name = ch.name;
      if (ch.topic !== undefined) c.topic = ch.topic;
      if (ch.archived !== undefined) c.archived = ch.archived;
      s = setConv(s, c);
      break;
    }
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
    s = recompute(s, convId);
  }
  return s;
}

function applyAdded(state: ClientState, conv: Conversation): ClientState {
  const known = state.conversations[conv.id];
  const applied = state.appliedSeq[conv.id] ?? 0;
  // A late duplicate of the event for a conversation we are in and already past: nothing new.
  if (known?.membership && known.membership.left_seq === null && applied >= conv.last_seq) return state;
  const visibleFrom = conv.membership?.visible_from_seq ?? 1;
  const kept = (state.messages[conv.id] ?? []).filter((m) => m.seq >= visibleFrom && m.seq <= conv.last_seq);
  const { [conv.id]: _u, ...unknown } = state.unknown;
  return {
    ...state,
    conversations: { ...state.conversations, [conv.id]: conv },
    messages: { ...state.messages, [conv.id]: kept },
    members: { ...state.members, [conv.id]: state.members[conv.id] ?? {} },
    appliedSeq: { ...state.appliedSeq, [conv.id]: Math.max(applied, conv.last_seq) },
    needs: { ...state.needs, [conv.id]: { history: true } },
    unknown,
  };
}

function applyUserUpdated(state: ClientState, user: User): ClientState {
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
  const list = state.messages[msg.conv_id] ?? [];
  const i = lowerBound(list, msg.seq);
  const next = list.slice();
  if (list[i]?.seq === msg.seq) next[i] = msg;
  else next.splice(i, 0, msg);
  return { ...state, messages: { ...state.messages, [msg.conv_id]: next } };
}

function patchMessage(state: ClientState, convId: string, id: string, f: (m: Message) => Message): ClientState {
  const list = state.messages[convId];
  if (!list) return state;
  const i = list.findIndex((m) => m.id === id);
  if (i < 0) return state;
  const next = list.slice();
  next[i] = f(list[i]!);
  return { ...state, messages: { ...state.messages, [convId]: next } };
}

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

function sortBySeq(messages: readonly Message[]): Message[] {
  const bySeq = new Map<number, Message>();
  for (const m of messages) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
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
  if (state.needs[convId]?.history) {
    // History not loaded yet: keep the server's counters, follow the log's end only.
    return conv.last_seq === upTo ? state : setConv(state, { ...conv, last_seq: upTo });
  }
  const from = Math.max(m.read_seq, m.visible_from_seq - 1);
  let unread = 0;
  let mentions = 0;
  let last: Message | null = null;
  for (const msg of state.messages[convId] ?? []) {
    if (msg.seq > upTo) break;
    const counted = msg.seq > from && msg.sender_id !== state.me && !msg.recalled;
    const mentionsMe = msg.mentions_channel || msg.mentions.includes(state.me);
    if (msg.thread_root_id !== null) {
      // A reply is not unread in the channel, but a mention in it still counts.
      if (counted && mentionsMe) mentions++;
      continue;
    }
    if (msg.seq >= m.visible_from_seq) last = msg;
    if (counted) {
      unread++;
      if (mentionsMe) mentions++;
    }
  }
  return setConv(state, { ...conv, last_seq: upTo, unread_count: unread, mention_count: mentions, last_message: last });
}
