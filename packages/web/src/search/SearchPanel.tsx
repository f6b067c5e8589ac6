import { Fragment, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { SearchConversation, SearchHit, User } from '@parley/protocol';
import { ParleyError } from '@parley/sdk';
import { useChat, useStore } from '../chat/context';
import { conversationName, userLabel } from '../chat/names';
import { convPath, navigate } from '../app/router';
import { describeError } from '../auth/errors';
import { useT, type Translate } from '../i18n/i18n';
import { fullTime } from '../messages/format';
import { Dialog } from '../ui/Dialog';
import { IconHash, IconLock, IconUsers } from '../ui/icons';
import { applyPick, filterAt, matchesPrefix, type FilterAtCaret } from './complete';
import { snippet } from './segments';

type Order = 'newest' | 'relevance';

interface Results {
  query: string;
  order: Order;
  hits: SearchHit[];
  conversations: Record<string, SearchConversation>;
  nextCursor: string | null;
}

interface Suggestion {
  value: string;
  label: string;
  detail: string;
  kind: 'user' | 'channel' | 'private' | 'dm';
}

const LIVE_DELAY_MS = 350;
const MAX_SUGGESTIONS = 8;

function searchError(e: unknown, t: Translate): string {
  if (e instanceof ParleyError && e.code === 'invalid_query') return t('search.invalidQuery', { message: e.message });
  if (e instanceof ParleyError && e.code === 'not_found') return t('search.notFound', { message: e.message });
  return describeError(e, t);
}

/** Hits grouped by conversation, in the order each conversation first appears. */
function groupHits(hits: readonly SearchHit[]): { convId: string; hits: SearchHit[] }[] {
  const groups = new Map<string, SearchHit[]>();
  for (const h of hits) {
    const g = groups.get(h.message.conv_id);
    if (g) g.push(h);
    else groups.set(h.message.conv_id, [h]);
  }
  return [...groups].map(([convId, list]) => ({ convId, hits: list }));
}

/**
 * Message search: the query language with autocompletion of `from:` and `in:`, results grouped
 * by conversation with the matches marked, newest first or by relevance, more on request; a hit
 * opens its conversation at that message. Keyboard: arrows move, Enter opens, Escape closes.
 */
export function SearchPanel({ initial, onClose }: { initial: string; onClose: () => void }) {
  const t = useT();
  const store = useStore();
  const users = useChat((s) => s.users);
  const me = useChat((s) => s.me.id);
  const conversations = useChat((s) => s.conversations);
  const [query, setQuery] = useState(initial);
  const [caret, setCaret] = useState(initial.length);
  const [order, setOrder] = useState<Order>('newest');
  const [results, setResults] = useState<Results | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [activeHit, setActiveHit] = useState(-1);
  const [activeSuggestion, setActiveSuggestion] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [remoteUsers, setRemoteUsers] = useState<User[]>([]);
  const input = useRef<HTMLInputElement>(null);
  const inflight = useRef<AbortController | null>(null);
  const ids = useId();
  const suggestId = `${ids}-suggest`;
  const resultsId = `${ids}-results`;
  const errorId = `${ids}-error`;

  // ---- autocompletion ------------------------------------------------------------------------

  const at: FilterAtCaret | null = useMemo(() => filterAt(query, caret), [query, caret]);
  const atKey = at ? `${query}|${at.start}` : null;

  useEffect(() => {
    if (at?.key !== 'from') return;
    const ac = new AbortController();
    const timer = setTimeout(() => {
      store
        .searchUsers(at.prefix, ac.signal)
        .then(setRemoteUsers)
        .catch(() => undefined);
    }, 150);
    return () => {
      clearTimeout(timer);
      ac.abort();
    };
  }, [at?.key, at?.prefix, store]);

  const suggestions: Suggestion[] = useMemo(() => {
    if (!at || atKey === dismissed) return [];
    if (at.key === 'from') {
      const byId = new Map<string, User>();
      for (const u of [...Object.values(users), ...remoteUsers]) byId.set(u.id, u);
      return [...byId.values()]
        .filter((u) => matchesPrefix(u.username, at.prefix) || matchesPrefix(u.display_name, at.prefix))
        .sort((a, b) => a.username.localeCompare(b.username))
        .slice(0, MAX_SUGGESTIONS)
        .map((u) => ({ value: `@${u.username}`, label: `@${u.username}`, detail: u.display_name, kind: 'user' as const }));
    }
    const out: Suggestion[] = [];
    for (const c of Object.values(conversations)) {
      if (!c.membership || c.membership.left_seq !== null) continue;
      if (c.kind === 'channel' && c.name && at.sigil !== '@' && matchesPrefix(c.name, at.prefix)) {
        out.push({ value: `#${c.name}`, label: `#${c.name}`, detail: c.topic ?? '', kind: c.visibility === 'private' ? 'private' : 'channel' });
      } else if (c.kind === 'dm' && c.dm_user_id && at.sigil !== '#') {
        const u = users[c.dm_user_id];
        if (u && (matchesPrefix(u.username, at.prefix) || matchesPrefix(u.display_name, at.prefix))) out.push({ value: `@${u.username}`, label: `@${u.username}`, detail: u.display_name, kind: 'dm' });
      }
    }
    return out.sort((a, b) => a.label.localeCompare(b.label)).slice(0, MAX_SUGGESTIONS);
  }, [at, atKey, dismissed, users, remoteUsers, conversations]);

  const suggesting = suggestions.length > 0;
  useEffect(() => setActiveSuggestion(0), [atKey, suggestions.length]);

  const pick = (s: Suggestion) => {
    if (!at) return;
    const next = applyPick(query, at, s.value);
    setQuery(next.query);
    setCaret(next.caret);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  // ---- searching -----------------------------------------------------------------------------

  const run = useCallback(
    async (q: string, o: Order, cursor: string | null) => {
      const text = q.trim();
      if (!text) return;
      inflight.current?.abort();
      const ac = new AbortController();
      inflight.current = ac;
      setBusy(true);
      try {
        const page = await store.search(text, { order: o, ...(cursor ? { cursor } : {}), signal: ac.signal });
        if (ac.signal.aborted) return;
        const convs: Record<string, SearchConversation> = {};
        for (const c of page.conversations) convs[c.id] = c;
        setError(null);
        setResults((prev) =>
          cursor && prev
            ? { ...prev, hits: [...prev.hits, ...page.hits], conversations: { ...prev.conversations, ...convs }, nextCursor: page.next_cursor }
            : { query: text, order: o, hits: page.hits, conversations: convs, nextCursor: page.next_cursor },
        );
        if (!cursor) setActiveHit(-1);
      } catch (e) {
        if (ac.signal.aborted) return;
        setError(searchError(e, t));
        if (!cursor) setResults(null);
      } finally {
        if (inflight.current === ac) {
          inflight.current = null;
          setBusy(false);
        }
      }
    },
    [store, t],
  );

  // Results follow the typing, except while a filter's name is half typed (it would not be found yet).
  useEffect(() => {
    if (!query.trim() || at) return;
    if (results && results.query === query.trim() && results.order === order) return;
    const timer = setTimeout(() => void run(query, order, null), LIVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, order, at, run]);

  useEffect(() => () => inflight.current?.abort(), []);

  const groups = useMemo(() => groupHits(results?.hits ?? []), [results]);
  const flat = useMemo(() => groups.flatMap((g) => g.hits), [groups]);

  const open = (hit: SearchHit) => {
    onClose();
    navigate(convPath(hit.message.conv_id, hit.message.id));
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (suggesting) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = suggestions.length;
        setActiveSuggestion((i) => (e.key === 'ArrowDown' ? (i + 1) % n : (i - 1 + n) % n));
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        const s = suggestions[activeSuggestion];
        if (s) {
          e.preventDefault();
          pick(s);
        }
        return;
      }
      if (e.key === 'Escape') {
        // The first Escape closes the suggestions, the next one the search.
        e.preventDefault();
        e.stopPropagation();
        setDismissed(atKey);
        return;
      }
    }
    if (e.key === 'ArrowDown' && flat.length) {
      e.preventDefault();
      setActiveHit((i) => Math.min(i + 1, flat.length - 1));
    } else if (e.key === 'ArrowUp' && flat.length) {
      e.preventDefault();
      setActiveHit((i) => Math.max(i - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const hit = flat[activeHit];
      if (hit) open(hit);
      else void run(query, order, null);
    }
  };

  useEffect(() => {
    if (activeHit >= 0) document.getElementById(`${resultsId}-${activeHit}`)?.scrollIntoView({ block: 'nearest' });
  }, [activeHit, resultsId]);

  const trackCaret = (el: HTMLInputElement) => setCaret(el.selectionStart ?? el.value.length);
  const activeDescendant = suggesting ? `${suggestId}-${activeSuggestion}` : activeHit >= 0 ? `${resultsId}-${activeHit}` : undefined;
  let flatIndex = -1;

  return (
    <Dialog title={t('search.title')} onClose={onClose} hideTitle className="search-dialog">
      <div data-testid="search-panel" className="search-panel">
        <div className="search-box">
          <input
            ref={input}
            className="input big"
            data-testid="search-input"
            data-autofocus=""
            type="search"
            placeholder={t('search.placeholder')}
            aria-label={t('search.label')}
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={suggesting || flat.length > 0}
            aria-controls={suggesting ? suggestId : flat.length ? resultsId : undefined}
            aria-activedescendant={activeDescendant}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            autoComplete="off"
            spellCheck={false}
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              trackCaret(e.target);
              setDismissed(null);
            }}
            onSelect={(e) => trackCaret(e.currentTarget)}
            onKeyDown={onKeyDown}
          />
          {suggesting && (
            <ul
              className="option-list search-suggestions"
              id={suggestId}
              role="listbox"
              aria-label={at?.key === 'from' ? t('search.suggestPeople') : t('search.suggestConversations')}
              data-testid="search-suggestions"
            >
              {suggestions.map((s, i) => (
                <li
                  key={`${s.kind}${s.value}`}
                  id={`${suggestId}-${i}`}
                  role="option"
                  aria-selected={i === activeSuggestion}
                  className={`option ${i === activeSuggestion ? 'active' : ''}`}
                  data-testid="search-suggestion"
                  data-value={s.value}
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseEnter={() => setActiveSuggestion(i)}
                  onClick={() => pick(s)}
                >
                  <span className="conv-icon" aria-hidden="true">
                    {s.kind === 'channel' ? <IconHash /> : s.kind === 'private' ? <IconLock /> : <IconUsers />}
                  </span>
                  <span className="option-main">{s.label}</span>
                  {s.detail && <span className="muted option-detail">{s.detail}</span>}
                </li>
              ))}
            </ul>
          )}
        </div>
        {error && (
          <p className="error search-error" role="alert" id={errorId} data-testid="search-error">
            {error}
          </p>
        )}
        <div className="search-toolbar">
          <div role="group" aria-label={t('search.order')} className="segmented">
            {(['newest', 'relevance'] as const).map((o) => (
              <button
                key={o}
                type="button"
                className={`button small ${order === o ? 'selected' : ''}`}
                aria-pressed={order === o}
                data-testid={`search-order-${o}`}
                onClick={() => {
                  setOrder(o);
                  input.current?.focus();
                }}
              >
                {t(o === 'newest' ? 'search.newest' : 'search.relevance')}
              </button>
            ))}
          </div>
          <span className="muted small" role="status" aria-live="polite" data-testid="search-status">
            {busy ? t('search.searching') : results ? (results.hits.length === 0 ? t('search.none') : t(results.nextCursor ? 'search.countMore' : 'search.count', { n: results.hits.length })) : ''}
          </span>
        </div>
        {!results && !error && <p className="muted search-help">{t('search.help')}</p>}
        {flat.length > 0 && (
          <div className={`search-results ${results && results.query !== query.trim() ? 'stale' : ''}`} role="listbox" id={resultsId} aria-label={t('search.results')} data-testid="search-results">
            {groups.map((g) => {
              const conv = results?.conversations[g.convId] ?? conversations[g.convId];
              const name = conv ? conversationName(conv, users, me) : '…';
              const heading = conv?.kind === 'channel' ? `#${name}` : name;
              return (
                <div key={g.convId} role="group" aria-label={heading} className="search-group" data-testid="search-group" data-conv-id={g.convId}>
                  <div className="search-group-title" aria-hidden="true">
                    {heading}
                  </div>
                  {g.hits.map((hit) => {
                    const i = ++flatIndex;
                    const m = hit.message;
                    const cut = snippet(m.body, hit.highlights);
                    const sender = userLabel(users[m.sender_id]);
                    return (
                      <div
                        key={m.id}
                        id={`${resultsId}-${i}`}
                        role="option"
                        aria-selected={i === activeHit}
                        className={`search-hit ${i === activeHit ? 'active' : ''}`}
                        data-testid="search-hit"
                        data-message-id={m.id}
                        data-conv-id={m.conv_id}
                        onMouseEnter={() => setActiveHit(i)}
                        onClick={() => open(hit)}
                      >
                        <div className="search-hit-meta">
                          <span className="search-hit-sender">{sender}</span>
                          <time className="muted" dateTime={m.created_at}>
                            {fullTime(m.created_at)}
                          </time>
                          {m.thread_root_id && <span className="muted">{t('search.inThread')}</span>}
                        </div>
                        <div className="search-hit-body" data-testid="search-hit-body">
                          {m.burn ? (
                            // The server never indexes a burn message's words; should one come up anyway, say what it is, never what it says.
                            <span className="muted">🔥 {t('burn.preview')}</span>
                          ) : (
                            <>
                              {cut.cutStart && '…'}
                              {cut.segments.map((s, k) => (s.marked ? <mark key={k}>{s.text}</mark> : <Fragment key={k}>{s.text}</Fragment>))}
                              {cut.cutEnd && '…'}
                            </>
                          )}
                        </div>
                      </div>
                    );
                  })}
                </div>
              );
            })}
          </div>
        )}
        {results?.nextCursor && (
          <button type="button" className="button search-more" data-testid="search-more" disabled={busy} onClick={() => void run(results.query, results.order, results.nextCursor)}>
            {t('search.more')}
          </button>
        )}
      </div>
    </Dialog>
  );
}
