import { useCallback, useEffect, useMemo, useState } from 'react';
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
import { SettingsDialog } from '../settings/SettingsDialog';
import { SearchPanel } from '../search/SearchPanel';
import { ThreadPanel } from '../thread/ThreadPanel';
import { useToast } from '../ui/toast';
import { IconMenu } from '../ui/icons';
import { convPath, navigate, useRoute } from './router';
import { UiContext, type DialogKind, type UiState } from './ui-context';
import { useDocumentTitle } from './title';

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

  // A thread belongs to its conversation: switching away closes it.
  useEffect(() => {
    if (thread && thread.convId !== convId) setThread(null);
  }, [convId, thread]);

  // Picking a conversation on a phone closes the drawer.
  useEffect(() => setDrawerOpen(false), [convId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setDialog((d) => (d === 'switcher' ? null : 'switcher'));
      } else if ((e.ctrlKey || e.metaKey) && e.shiftKey && !e.altKey && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        openSearch();
      } else if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !isTyping(e.target)) {
        // `/` is a character wherever one can type; elsewhere it opens search.
        e.preventDefault();
        openSearch();
      } else if (e.key === 'Escape' && !e.defaultPrevented) {
        if (drawerOpen) setDrawerOpen(false);
        else if (thread) setThread(null);
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
  }, [drawerOpen, thread, openSearch]);

  const ui = useMemo<UiState>(
    () => ({ dialog, openDialog: setDialog, openSearch, thread, openThread, closeThread, drawerOpen, setDrawerOpen, highlight }),
    [dialog, openSearch, thread, openThread, closeThread, drawerOpen, highlight],
  );
  const close = () => setDialog(null);

  if (!ready) return <div className="splash" aria-busy="true" />;

  return (
    <UiContext.Provider value={ui}>
      <div className={`app ${convId ? 'has-conversation' : 'at-home'} ${drawerOpen ? 'drawer-open' : ''} ${thread ? 'has-thread' : ''}`}>
        <Sidebar activeId={convId} />
        {drawerOpen && <div className="drawer-scrim" onClick={() => setDrawerOpen(false)} aria-hidden="true" />}
        <main className="main" aria-label={t('conv.messageList')}>
          <ConnectionBanner />
          {convId ? (
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
      </div>
      {dialog === 'switcher' && <QuickSwitcher onClose={close} />}
      {dialog === 'search' && <SearchPanel initial={searchPrefill} onClose={close} />}
      {dialog === 'new-dm' && <NewDmDialog onClose={close} />}
      {dialog === 'new-group' && <NewGroupDialog onClose={close} />}
      {dialog === 'new-channel' && <NewChannelDialog onClose={close} />}
      {dialog === 'browse' && <ChannelBrowser onClose={close} />}
      {dialog === 'settings' && <SettingsDialog onClose={close} />}
      <div className="toast-region" role="status" aria-live="polite">
        {toastText && <div className="toast">{toastText}</div>}
      </div>
    </UiContext.Provider>
  );
}
