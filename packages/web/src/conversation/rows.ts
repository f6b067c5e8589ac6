import type { EphemeralMessage, Message } from '@parley/protocol';
import type { PendingMessage } from '../chat/types';
import type { Notice } from './notices';
import { dayLabel, sameDay } from '../messages/format';

interface RowBase {
  key: string;
  grouped: boolean;
  /** A day separator drawn above this message. */
  day: string | null;
  /** The "new messages" line drawn above this message. */
  unread: boolean;
  /** Lines for the log's membership and channel changes just before this message ("Bob joined"). */
  notices?: readonly Notice[];
}

/**
 * One line of the virtualised list: always a message. Separators belong to the message below
 * them rather than being rows of their own, so every row is anchored to a message and a page
 * prepended above the view can never leave the view pinned to a separator. An `ephemeral` row is
 * an answer only this reader sees: after everything in the log, never grouped, never unread.
 */
export type Row =
  | (RowBase & { kind: 'message'; msg: Message })
  | (RowBase & { kind: 'pending'; pending: PendingMessage })
  | (RowBase & { kind: 'ephemeral'; eph: EphemeralMessage })
  // The notices after the newest message: a row of their own until a message comes after them.
  | (RowBase & { kind: 'notices'; notices: readonly Notice[] });

// Consecutive messages from one sender within this window share a header.
const GROUP_MS = 5 * 60_000;

/**
 * Flattens messages and pending sends into rows with day separators, sender grouping and the
 * "new messages" marker. Keys use sender + client_msg_id, so a pending row keeps its identity
 * (and measured height) when the server's copy replaces it. The first loaded message only gets
 * a day separator once we know nothing older exists, so loading older pages rarely resizes it.
 */
export function buildRows(
  messages: readonly Message[],
  pending: readonly PendingMessage[],
  me: string,
  unreadAfterSeq: number | null,
  atBeginning: boolean,
  ephemeral: readonly EphemeralMessage[] = [],
  /** In seq order. Those before the first loaded message show only at the beginning; pass none past a window's end. */
  notices: readonly Notice[] = [],
): Row[] {
  const rows: Row[] = [];
  let n = 0;
  // Notices older than the loaded messages lie in history not shown yet: they come with its page.
  if (!atBeginning) while (n < notices.length && messages[0] && notices[n]!.seq < messages[0].seq) n++;
  /** The notices before `seq`, for the row being placed; a line between two messages breaks their group. */
  const noticesBefore = (seq: number): readonly Notice[] | undefined => {
    const start = n;
    while (n < notices.length && notices[n]!.seq < seq) n++;
    if (n === start) return undefined;
    prevSender = null;
    return notices.slice(start, n);
  };
  let prevSender: string | null = null;
  let prevTime: number | null = null;
  let markerPlaced = false;
  const place = (sender: string, at: string | number, recalled: boolean, unread: boolean): Pick<RowBase, 'grouped' | 'day' | 'unread'> => {
    const t = typeof at === 'number' ? at : Date.parse(at);
    const newDay = prevTime === null ? atBeginning : !sameDay(prevTime, t);
    const grouped = !newDay && !unread && prevSender === sender && prevTime !== null && t - prevTime < GROUP_MS && !recalled;
    prevSender = recalled ? null : sender;
    prevTime = t;
    return { grouped, day: newDay ? dayLabel(t) : null, unread };
  };
  for (const m of messages) {
    if (m.thread_root_id !== null) continue;
    const unread = !markerPlaced && unreadAfterSeq !== null && m.seq > unreadAfterSeq && m.sender_id !== me;
    if (unread) markerPlaced = true;
    const before = noticesBefore(m.seq);
    rows.push({ kind: 'message', key: `m:${m.sender_id}:${m.client_msg_id}`, msg: m, ...place(m.sender_id, m.created_at, m.recalled, unread), ...(before ? { notices: before } : {}) });
  }
  const trailing = noticesBefore(Number.MAX_SAFE_INTEGER);
  if (trailing) {
    const at = place('', trailing[0]!.ts, true, false);
    rows.push({ kind: 'notices', key: `n:${trailing[0]!.seq}`, notices: trailing, ...at, grouped: false });
  }
  for (const p of pending) rows.push({ kind: 'pending', key: `m:${me}:${p.client_msg_id}`, pending: p, ...place(me, p.created_at, false, false) });
  for (const e of ephemeral) {
    const at = place(e.sender_id, e.created_at, false, false);
    rows.push({ kind: 'ephemeral', key: `e:${e.id}`, eph: e, ...at, grouped: false });
    // What follows an ephemeral answer starts a group of its own.
    prevSender = null;
  }
  return rows;
}
