import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Conversation } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { userLabel } from '../chat/names';
import { useLanguage, useT } from '../i18n/i18n';
import { MessageRow } from '../messages/MessageRow';
import { EphemeralRow } from '../messages/EphemeralRow';
import { ephemeralIn } from '../chat/ephemeral';
import { IconArrowDown, IconArrowUp } from '../ui/icons';
import { attachmentsHeight } from '../files/kind';
import { buildRows, type Row } from './rows';
import { drawsLine, useNotices } from './notices';
import { NoticeLines } from './NoticeLines';

interface Props {
  conv: Conversation;
  /** The message a link points at: scrolled to and highlighted once loaded. */
  targetId: string | null;
}

const AT_END_PX = 48;
// Room above the first row for "loading older…" / "the beginning": padding, not a row, so the
// virtualizer anchors prepended pages to a real message and never to this banner.
const HEAD_PX = 56;
const LOAD_OLDER_PX = 600;

function estimate(row: Row | undefined): number {
  if (!row) return 40;
  if (row.kind === 'ephemeral') return 84 + (row.day ? 36 : 0);
  if (row.kind === 'notices') return row.notices.length * 24 + (row.day ? 36 : 0);
  const files = row.kind === 'message' && !row.msg.recalled ? attachmentsHeight(row.msg.attachments) : 0;
  return (row.grouped ? 28 : 64) + (row.day ? 36 : 0) + (row.unread ? 36 : 0) + files + (row.notices?.length ?? 0) * 24;
}

/**
 * The conversation's history as a virtualised list anchored to its end: new messages follow
 * when you are at the bottom, older pages load as you scroll up without moving what you read,
 * and only the rows on screen exist in the DOM, so 10,000 messages scroll like 50.
 */
export function MessageList({ conv, targetId }: Props) {
  const t = useT();
  const store = useStore();
  const convId = conv.id;
  const timeline = useChat((s) => s.timelines[convId]);
  const pendingAll = useChat((s) => s.pending);
  const me = useChat((s) => s.me.id);
  const members = useChat((s) => s.members[convId]);
  const reads = useChat((s) => s.reads[convId]);
  const users = useChat((s) => s.users);
  const ephemeralAll = useChat((s) => s.ephemeral[convId]);
  const ephemeral = useMemo(() => ephemeralIn(ephemeralAll, null), [ephemeralAll]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [atEnd, setAtEnd] = useState(true);
  const [visible, setVisible] = useState(document.visibilityState === 'visible');
  const [highlightId, setHighlightId] = useState<string | null>(null);
  const [targetMissing, setTargetMissing] = useState(false);

  // The "new messages" line stays where it was when the conversation opened, even once read.
  const [unreadAfter] = useState<number | null>(() => (conv.unread_count > 0 && conv.membership ? conv.membership.read_seq : null));

  const pending = useMemo(
    () =>
      Object.values(pendingAll)
        .filter((p) => p.conv_id === convId && !p.reply_to)
        .sort((a, b) => a.created_at - b.created_at),
    [pendingAll, convId],
  );
  const messages = timeline?.messages;
  const hasOlder = timeline?.hasOlder ?? true;
  // A window opened around an older message (a search hit): the present lies beyond its end.
  const hasNewer = timeline?.hasNewer ?? false;
  const lang = useLanguage();
  // Day labels are words ("Today", "星期一"): rebuild them when the language changes. Answers only
  // I see belong after the newest message, so a window around an older one leaves them out.
  // Membership and rename lines (notices.ts): asked for from the oldest loaded message on.
  const allNotices = useNotices(store.notices, convId);
  const oldestSeq = timeline?.loaded ? (hasOlder ? (messages?.[0]?.seq ?? 0) : 0) : null;
  useEffect(() => {
    if (oldestSeq !== null) store.notices.ensure(convId, oldestSeq);
  }, [store, convId, oldestSeq]);
  const notices = useMemo(() => {
    const last = messages?.at(-1)?.seq ?? 0;
    // Past a window's end lies history not loaded: its lines come with it.
    return allNotices.filter((n) => drawsLine(n) && (!hasNewer || n.seq < last));
  }, [allNotices, messages, hasNewer]);
  const rows = useMemo(
    () => (void lang, buildRows(messages ?? [], pending, me, unreadAfter, !hasOlder, hasNewer ? [] : ephemeral, notices)),
    [messages, pending, me, unreadAfter, hasOlder, hasNewer, lang, ephemeral, notices],
  );

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => estimate(rows[i]),
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: 8,
    paddingStart: HEAD_PX,
    paddingEnd: 8,
    anchorTo: 'end',
    // Newer pages of a window are what the reader scrolls into, not something to jump past.
    followOnAppend: !hasNewer,
    scrollEndThreshold: AT_END_PX,
  });

  const loadOlder = useCallback(() => {
    const tl = store.state.timelines[convId];
    if (!tl || !tl.loaded || !tl.hasOlder || tl.loadingOlder) return;
    void store.loadOlder(convId);
  }, [store, convId]);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const fromEnd = el.scrollHeight - el.scrollTop - el.clientHeight;
    setAtEnd(fromEnd <= AT_END_PX);
    if (el.scrollTop < LOAD_OLDER_PX) loadOlder();
    // Only for the reader's own scrolling: the jump to a message scrolls too, and must stay there.
    if (fromEnd < LOAD_OLDER_PX && readerScrolled.current && store.state.timelines[convId]?.hasNewer) void store.loadNewer(convId);
  }, [loadOlder, store, convId]);
  const readerScrolled = useRef(false);
  const readerScrolls = useCallback(() => {
    readerScrolled.current = true;
  }, []);

  // The composer grows (files added, lines typed) and shrinks the list: a reader at the end stays there.
  const atEndRef = useRef(atEnd);
  atEndRef.current = atEnd;
  const jumpToLatestRef = useRef<() => Promise<void>>(async () => undefined);
  const targetRef = useRef(targetId);
  targetRef.current = targetId;
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    let height = el.clientHeight;
    const ro = new ResizeObserver(() => {
      if (el.clientHeight < height && atEndRef.current) el.scrollTop = el.scrollHeight;
      height = el.clientHeight;
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // The list's content changes height without a scroll event: rows measured, a resync's pages
  // merged after a reconnect, an image laid out. A reader at the end stays there; one above it is
  // told so (the "Jump to latest" button) instead of resting on a stale "at the end".
  useEffect(() => {
    const el = scrollRef.current;
    const sizer = el?.querySelector('.message-sizer');
    if (!el || !sizer || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      // Not while a linked message is being shown: that view must stay where the link put it.
      if (atEndRef.current && startedRef.current && !targetRef.current && !store.state.timelines[convId]?.hasNewer) el.scrollTop = el.scrollHeight;
      else setAtEnd(el.scrollHeight - el.scrollTop - el.clientHeight <= AT_END_PX);
    });
    ro.observe(sizer);
    return () => ro.disconnect();
  }, [timeline?.loaded, store, convId]);

  // Sending always shows one's own message, wherever the reader was (and from a window around an
  // old message, the present is loaded first).
  const mineSent = pending.length;
  const mineBefore = useRef(mineSent);
  useEffect(() => {
    const grew = mineSent > mineBefore.current;
    mineBefore.current = mineSent;
    if (grew) void jumpToLatestRef.current();
  }, [mineSent]);

  // Start at the bottom once the first page is there (unless a link asks for a message).
  const startedRef = useRef(false);
  useLayoutEffect(() => {
    if (startedRef.current || !timeline?.loaded || targetId) return;
    startedRef.current = true;
    virtualizer.scrollToEnd();
  }, [timeline?.loaded, targetId, virtualizer]);

  // After a page arrives (or a short first page that does not fill the screen) the view may
  // still sit near the top, where no further scroll event will come: keep loading from here.
  useEffect(() => {
    const el = scrollRef.current;
    if (el && timeline?.loaded && startedRef.current && el.scrollTop < LOAD_OLDER_PX) loadOlder();
  }, [messages, timeline?.loaded, timeline?.loadingOlder, loadOlder]);

  useEffect(() => {
    const onVis = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onVis);
    return () => document.removeEventListener('visibilitychange', onVis);
  }, []);

  // Read when the newest message is on screen in a visible tab.
  const lastSeq = conv.last_seq;
  const readSeq = conv.membership?.read_seq ?? 0;
  useEffect(() => {
    if (atEnd && !hasNewer && visible && timeline?.loaded && lastSeq > readSeq) store.markRead(convId);
  }, [atEnd, hasNewer, visible, timeline?.loaded, lastSeq, readSeq, store, convId]);

  // A message link: page back until the message is loaded, then centre and flash it.
  useEffect(() => {
    if (!targetId) return;
    let live = true;
    setTargetMissing(false);
    void store.ensureMessage(convId, targetId).then((m) => {
      if (!live) return;
      if (!m) {
        setTargetMissing(true);
        return;
      }
      if (m.thread_root_id) return;
      setHighlightId(m.id);
      startedRef.current = true;
    });
    return () => {
      live = false;
    };
  }, [targetId, convId, store]);

  // Scrolled to once the rows hold it, and lit for 4 s from then: rows drawn late (a busy page)
  // must neither miss the scroll nor spend the highlight before it can be seen. Only once per
  // target: later rows must not pull the view back to it.
  const [drawnId, setDrawnId] = useState<string | null>(null);
  useLayoutEffect(() => {
    if (!highlightId || drawnId === highlightId) return;
    const idx = rows.findIndex((r) => r.kind === 'message' && r.msg.id === highlightId);
    if (idx < 0) return;
    setDrawnId(highlightId);
    virtualizer.scrollToIndex(idx, { align: 'center' });
  }, [highlightId, drawnId, rows, virtualizer]);
  useEffect(() => {
    if (!drawnId) return;
    const timer = setTimeout(() => {
      setHighlightId(null);
      setDrawnId(null);
    }, 4000);
    return () => clearTimeout(timer);
  }, [drawnId]);

  // Read receipts: who has read up to my last message (DMs and groups, where receipts are shared).
  const receiptsFor = useMemo(() => {
    if (conv.kind === 'channel') return null;
    for (let i = rows.length - 1; i >= 0; i--) {
      const r = rows[i]!;
      if (r.kind === 'pending') return null;
      if (r.kind === 'message' && !r.msg.recalled) {
        if (r.msg.sender_id !== me) continue;
        const seq = r.msg.seq;
        const readers = new Set<string>();
        for (const m of Object.values(members ?? {})) if (m.user.id !== me && m.read_seq >= seq) readers.add(m.user.id);
        for (const [uid, s] of Object.entries(reads ?? {})) if (uid !== me && s >= seq) readers.add(uid);
        return { msgId: r.msg.id, readers: [...readers] };
      }
    }
    return null;
  }, [rows, conv.kind, members, reads, me]);

  const unreadIndex = rows.findIndex((r) => r.unread);
  const items = virtualizer.getVirtualItems();
  const firstVisible = items.find((it) => it.end > (scrollRef.current?.scrollTop ?? 0))?.index ?? 0;
  // The first unread message is above the view, or not even loaded yet (more unread than a page).
  const unreadAbove = unreadAfter !== null && (unreadIndex >= 0 ? unreadIndex < firstVisible : hasOlder && !!timeline?.loaded);

  // "Jump to first unread": older pages load until the first unread message is among them; only
  // once the rows drawn hold it (not the first loaded message, which carries the marker while the
  // rest is still on its way) does the view go there. Waiting a fixed number of frames instead
  // scrolled to that stand-in when the page's render came late, and the prepended pages then
  // pushed the real marker out of view.
  const [unreadJump, setUnreadJump] = useState(0);
  const unreadLoaded = unreadAfter !== null && !!timeline?.loaded && (!hasOlder || (messages?.[0]?.seq ?? Infinity) <= unreadAfter + 1);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  useLayoutEffect(() => {
    if (unreadJump === 0 || !unreadLoaded) return;
    // The list is anchored to its end, so rows measured after the jump (their real heights differ
    // from the estimates) move the view again: hold the marker at the top until it stays there
    // for a few frames (a second at most), rather than trusting one scroll after a guessed delay.
    let raf = 0;
    let frames = 0;
    let still = 0;
    const hold = () => {
      const idx = rowsRef.current.findIndex((r) => r.unread);
      const want = idx >= 0 ? virtualizer.getOffsetForIndex(idx, 'start')?.[0] : undefined;
      if (want === undefined) return setUnreadJump(0);
      if (Math.abs((virtualizer.scrollOffset ?? 0) - want) > 2) {
        still = 0;
        virtualizer.scrollToIndex(idx, { align: 'start' });
      } else still++;
      if (still >= 3 || ++frames > 60) return setUnreadJump(0);
      raf = requestAnimationFrame(hold);
    };
    raf = requestAnimationFrame(hold);
    return () => cancelAnimationFrame(raf);
  }, [unreadJump, unreadLoaded, virtualizer]);
  const jumpToUnread = async () => {
    setUnreadJump((n) => n + 1);
    for (let i = 0; i < 50; i++) {
      const tl = store.state.timelines[convId];
      if (!tl?.hasOlder || (tl.messages[0]?.seq ?? 0) <= (unreadAfter ?? 0) + 1) break;
      if ((await store.loadOlder(convId)) === 0) break;
    }
    // A page that failed to load: no jump left pending to surprise the reader later.
    const tl = store.state.timelines[convId];
    if (tl?.hasOlder && (tl.messages[0]?.seq ?? 0) > (unreadAfter ?? 0) + 1) setUnreadJump(0);
  };

  const jumpToLatest = async () => {
    if (store.state.timelines[convId]?.hasNewer) await store.loadLatest(convId, true);
    virtualizer.scrollToEnd();
    requestAnimationFrame(() => {
      const el = scrollRef.current;
      if (el) el.scrollTop = el.scrollHeight;
    });
  };
  jumpToLatestRef.current = jumpToLatest;

  const renderRow = (row: Row) => {
    const separators = (
      <>
        {row.day && (
          <div className="day-separator" data-testid="day-separator" role="separator" aria-label={row.day}>
            <span>{row.day}</span>
          </div>
        )}
        {row.kind !== 'notices' && row.notices && <NoticeLines notices={row.notices} />}
        {row.unread && (
          <div className="unread-marker" role="separator" aria-label={t('message.unreadMarker')}>
            <span>{t('message.unreadMarker')}</span>
          </div>
        )}
      </>
    );
    if (row.kind === 'notices') {
      return (
        <>
          {separators}
          <NoticeLines notices={row.notices} />
        </>
      );
    }
    if (row.kind === 'pending') {
      return (
        <>
          {separators}
          <MessageRow pending={row.pending} grouped={row.grouped} />
        </>
      );
    }
    if (row.kind === 'ephemeral') {
      return (
        <>
          {separators}
          <EphemeralRow msg={row.eph} />
        </>
      );
    }
    const receipts = receiptsFor?.msgId === row.msg.id && receiptsFor.readers.length > 0 ? receiptsFor.readers : null;
    const footer = receipts ? (
      <div className="seen-by muted" data-testid="seen-by">
        {conv.kind === 'dm' ? t('message.seen') : t('message.seenBy', { names: receipts.map((id) => userLabel(users[id])).join(', ') })}
      </div>
    ) : undefined;
    return (
      <>
        {separators}
        <MessageRow msg={row.msg} grouped={row.grouped} highlighted={row.msg.id === highlightId} footer={footer} />
      </>
    );
  };

  return (
    <div className="message-list-wrap">
      <div
        ref={scrollRef}
        className="message-scroll"
        data-testid="message-list"
        role="log"
        aria-label={t('conv.messageList')}
        tabIndex={0}
        onScroll={onScroll}
        onWheel={(e) => {
          readerScrolls();
          if (e.deltaY < 0 && (scrollRef.current?.scrollTop ?? 0) < LOAD_OLDER_PX) loadOlder();
        }}
        onTouchStart={readerScrolls}
        onKeyDown={readerScrolls}
        onPointerDown={readerScrolls}
      >
        {!timeline?.loaded && rows.length === 0 ? (
          <div className="list-start muted">{t('conv.loading')}</div>
        ) : (
          <div className="message-sizer" style={{ height: virtualizer.getTotalSize() }}>
            <div className="list-start muted" style={{ height: HEAD_PX }}>
              {hasOlder ? (timeline?.loadingOlder ? t('conv.loadingOlder') : '') : t('conv.beginning')}
            </div>
            {items.map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              return (
                <div key={item.key} ref={virtualizer.measureElement} data-index={item.index} className="row" style={{ transform: `translateY(${item.start}px)` }}>
                  {renderRow(row)}
                </div>
              );
            })}
          </div>
        )}
      </div>
      {targetMissing && (
        <div className="list-notice" role="status">
          {t('message.notFound')}
        </div>
      )}
      {/* At the top, where it hides no message: the newest lines are what a reader looks at. */}
      {unreadAbove && (
        <div className="jump-unread-bar">
          <button type="button" className="button pill" data-testid="jump-unread" onClick={() => void jumpToUnread()}>
            <IconArrowUp /> {t('conv.jumpUnread')}
          </button>
        </div>
      )}
      <div className="jump-buttons">
        {(!atEnd || hasNewer) && (
          <button type="button" className="button pill" data-testid="jump-latest" onClick={() => void jumpToLatest()}>
            <IconArrowDown /> {t('conv.jumpLatest')}
          </button>
        )}
      </div>
    </div>
  );
}
