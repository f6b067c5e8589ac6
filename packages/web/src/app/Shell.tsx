import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useChat, useStore } from '../chat/context';
import { ConversationView } from '../conversation/ConversationView';
import { ConnectionBanner } from '../conversation/ConnectionBanner';
import { useT } from '../i18n/i18n';
import { Sidebar } from '../sidebar/Sidebar';
import { QuickSwitcher } from '../sidebar/QuickSwitcher';
import { NewDmDialog } from '../sidebar/NewDmDialog';
import { NewGroupDialog } from '../sidebar/NewGroupDialog';
import { NewChannelDialog } from '../sidebar/NewChannelDialog';
import { ChannelBrowser } from '../sidebar/ChannelBrowser';
import { FirstRunGuide } from './FirstRunGuide';
import { ThreadPanel } from '../thread/ThreadPanel';
import { useToast } from '../ui/toast';
import { IconMenu } from '../ui/icons';
import { convPath, navigate, useRoute } from './router';
import { UiContext, type DetailsTab, type DialogKind, type UiState } from './ui-context';
import { useDocumentTitle } from './title';
import { whichShortcut } from './shortcuts';
import { neighbour } from '../sidebar/order';

const GLOBAL_SHORTCUTS = ['switcher', 'search', 'searchSlash', 'sheet', 'prevConv', 'nextConv', 'prevUnread', 'nextUnread', 'markRead'] as const;

// Settings (two-factor set-up, tokens, the audit log, notifications…) load when first opened: they
// are most of a screenful of code that the first paint does not need (the initial-JS budget).
// Search opens on demand, like the dialogs below: none of them is needed to show the chat.
const SearchPanel = lazy(() => import('../search/SearchPanel').then((m) => ({ default: m.SearchPanel })));
const SettingsDialog = lazy(() => import('../settings/SettingsDialog').then((m) => ({ default: m.SettingsDialog })));
const ShortcutsSheet = lazy(() => import('./ShortcutsSheet').then((m) => ({ default: m.ShortcutsSheet })));
// The details panel (members, settings) too: opened from a conversation's header, not needed to chat.
const DetailsPanel = lazy(() => import('../details/DetailsPanel').then((m) => ({ default: m.DetailsPanel })));
// The admin console (`/admin`, owners and admins): its own chunk, never loaded by anyone who does not open it.
const AdminConsole = lazy(() => import('../admin/AdminConsole').then((m) => ({ default: m.AdminConsole })));

/** Whether a key press lands where text is typed (so `/` is a character there, not a shortcut). */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
}

export function Shell() {
  const t = useT();
  const store = useStore();
  const route = useRoute();
  const ready = useChat((s) => s.ready);
  const [dialog, setDialog] = useState<DialogKind>(null);
  const [searchPrefill, setSearchPrefill] = useState('');
  const openSearch = useCallback((prefill = '') => {
    setSearchPrefill(prefill);
    setDialog('search');
  }, []);
  const [thread, setThread] = useState<UiState['thread']>(null);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const toastText = useToast();
  const convId = route.name === 'conversation' ? route.convId : null;
  const highlight = route.name === 'conversation' ? route.messageId : null;
  useDocumentTitle(convId);

  const openThread = useCallback(
    (c: string, rootId: string) => {
      setThread({ convId: c, rootId });
      void store.openThread(rootId);
    },
    [store],
  );
  const closeThread = useCallback(() => setThread(null), []);
  const [details, setDetails] = useState<UiState['details']>(null);
  // One side panel at a time: the details replace an open thread (a thread opened later covers them).
  const openDetails = useCallback((c: string, tab: DetailsTab = 'about') => {
    setThread(null);
    setDetails({ convId: c, tab });
  }, []);
  const closeDetails = useCallback(() => setDetails(null), []);
  useEffect(() => {
    if (details && details.convId !== convId) setDetails(null);
  }, [convId, details]);

  // A thread belongs to its conversation: switching away closes it.
  useEffect(() => {
    if (thread && thread.convId !== convId) setThread(null);
  }, [convId, thread]);

  // Picking a conversation on a phone closes the drawer.
  useEffect(() => setDrawerOpen(false), [convId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // The keys come from the one table the shortcuts sheet lists (shortcuts.ts).
      const key = whichShortcut(e, GLOBAL_SHORTCUTS);
      if (key === 'switcher') {
        e.preventDefault();
        setDialog((d) => (d === 'switcher' ? null : 'switcher'));
      } else if (key === 'search') {
        e.preventDefault();
        openSearch();
      } else if (key === 'searchSlash' && !isTyping(e.target)) {
        // `/` is a character wherever one can type; elsewhere it opens search.
        e.preventDefault();
        openSearch();
      } else if (key === 'sheet') {
        e.preventDefault();
        setDialog((d) => (d === 'shortcuts' ? null : 'shortcuts'));
      } else if (key === 'prevConv' || key === 'nextConv' || key === 'prevUnread' || key === 'nextUnread') {
        e.preventDefault();
        const to = neighbour(store.state.conversations, convId, key.startsWith('next') ? 1 : -1, key.endsWith('Unread'));
        if (to) navigate(convPath(to));
      } else if (key === 'markRead' && !e.defaultPrevented) {
        if (drawerOpen) setDrawerOpen(false);
        else if (thread) setThread(null);
        else if (details) setDetails(null);
        // Nothing else took the Escape: it marks the open conversation read.
        else if (convId) store.markRead(convId);
      }
    };
    const onOpen = (e: Event) => {
      const d = (e as CustomEvent<{ convId: string; messageId?: string }>).detail;
      navigate(convPath(d.convId, d.messageId));
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('parley:open', onOpen);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('parley:open', onOpen);
    };
  }, [drawerOpen, thread, details, openSearch, store, convId]);

  const ui = useMemo<UiState>(
    () => ({ dialog, openDialog: setDialog, openSearch, thread, openThread, closeThread, details, openDetails, closeDetails, drawerOpen, setDrawerOpen, highlight }),
    [dialog, openSearch, thread, openThread, closeThread, details, openDetails, closeDetails, drawerOpen, highlight],
  );
  const close = () => setDialog(null);

  if (!ready) return <div className="splash" aria-busy="true" />;

  return (
    <UiContext.Provider value={ui}>
      <div className={`app ${convId ? 'has-conversation' : 'at-home'} ${drawerOpen ? 'drawer-open' : ''} ${thread ? 'has-thread' : ''} ${details && !thread ? 'has-details' : ''}`}>
        <Sidebar activeId={convId} />
        {drawerOpen && <div className="drawer-scrim" onClick={() => setDrawerOpen(false)} aria-hidden="true" />}
        <main className="main" aria-label={t('conv.messageList')}>
          <ConnectionBanner />
          <FirstRunGuide />
          {route.name === 'admin' ? (
            <Suspense fallback={<div className="splash" aria-busy="true" />}>
              <AdminConsole />
            </Suspense>
          ) : convId ? (
            <ConversationView key={convId} convId={convId} />
          ) : (
            <div className="empty-state">
              <button type="button" className="icon-button mobile-only" onClick={() => setDrawerOpen(true)} aria-label={t('sidebar.openMenu')}>
                <IconMenu />
              </button>
              <p>{t('conv.empty')}</p>
            </div>
          )}
        </main>
        {thread && <ThreadPanel key={thread.rootId} convId={thread.convId} rootId={thread.rootId} />}
        {details && !thread && (
          <Suspense fallback={null}>
            <DetailsPanel key={details.convId} convId={details.convId} tab={details.tab} />
          </Suspense>
        )}
      </div>
      {dialog === 'switcher' && <QuickSwitcher onClose={close} />}
      {dialog === 'search' && (
        <Suspense fallback={null}>
          <SearchPanel initial={searchPrefill} onClose={close} />
        </Suspense>
      )}
      {dialog === 'new-dm' && <NewDmDialog onClose={close} />}
      {dialog === 'new-group' && <NewGroupDialog onClose={close} />}
      {dialog === 'new-channel' && <NewChannelDialog onClose={close} />}
      {dialog === 'browse' && <ChannelBrowser onClose={close} />}
      {dialog === 'shortcuts' && (
        <Suspense fallback={null}>
          <ShortcutsSheet onClose={close} />
        </Suspense>
      )}
      {dialog === 'settings' && (
        <Suspense fallback={null}>
          <SettingsDialog onClose={close} />
        </Suspense>
      )}
      <div className="toast-region" role="status" aria-live="polite">
        {toastText && <div className="toast">{toastText}</div>}
      </div>
    </UiContext.Provider>
  );
}
