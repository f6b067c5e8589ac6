import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Message } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { conversationName } from '../chat/names';
import { useUi } from '../app/ui-context';
import { warnFailed } from '../app/report';
import { describeError } from '../auth/errors';
import { Composer, type ComposerHandle } from '../composer/Composer';
import { useT } from '../i18n/i18n';
import { MessageViewContext, type MessageViewState } from '../messages/conv-context';
import { RecallDialog } from '../messages/RecallDialog';
import { DropOverlay } from '../files/DropOverlay';
import { useFileDrop } from '../files/useFileDrop';
import { IconMenu } from '../ui/icons';
import { ConversationHeader } from './ConversationHeader';
import { MessageList } from './MessageList';
import { TypingIndicator } from './TypingIndicator';

export function ConversationView({ convId }: { convId: string }) {
  const t = useT();
  const store = useStore();
  const ui = useUi();
  const conv = useChat((s) => s.conversations[convId]);
  const missing = useChat((s) => s.missing[convId]);
  const users = useChat((s) => s.users);
  const me = useChat((s) => s.me.id);
  const connection = useChat((s) => s.connection);
  const members = useChat((s) => s.members[convId]);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [recalling, setRecalling] = useState<Message | null>(null);
  const [joinError, setJoinError] = useState<string | null>(null);
  const composer = useRef<ComposerHandle>(null);
  const isMember = !!conv?.membership && conv.membership.left_seq === null;

  // Open: make sure we know the conversation, its latest page and its members.
  useEffect(() => {
    if (!store.state.conversations[convId]) void store.fetchConversation(convId).catch(warnFailed(`loading conversation ${convId}`));
  }, [convId, store, connection]);
  useEffect(() => {
    if (!isMember) return;
    void store.loadLatest(convId);
    void store.loadMembers(convId);
  }, [convId, store, isMember, connection]);

  // A message link into a thread opens the thread beside the list.
  useEffect(() => {
    if (!ui.highlight) return;
    let live = true;
    void store.ensureMessage(convId, ui.highlight).then((m) => {
      if (live && m?.thread_root_id) ui.openThread(convId, m.thread_root_id);
    });
    return () => {
      live = false;
    };
  }, [ui.highlight, convId, store]);

  useEffect(() => {
    if (window.matchMedia('(min-width: 768px)').matches) composer.current?.focus();
  }, [convId]);

  const focusComposer = useCallback(() => composer.current?.focus(), []);
  const canPost = isMember && !conv?.archived;
  const drop = useFileDrop((files) => composer.current?.addFiles(files), canPost);
  const view = useMemo<MessageViewState>(() => ({ editingId, setEditingId, requestRecall: setRecalling, threadRootId: null, focusComposer }), [editingId, focusComposer]);

  const editLast = useCallback((): boolean => {
    const msgs = store.state.timelines[convId]?.messages ?? [];
    for (let i = msgs.length - 1; i >= 0; i--) {
      const m = msgs[i]!;
      if (m.thread_root_id === null && m.sender_id === me && !m.recalled && !m.burn) {
        setEditingId(m.id);
        return true;
      }
    }
    return false;
  }, [store, convId, me]);

  if (!conv) {
    return (
      <section className="conversation">
        <header className="conversation-header">
          <button type="button" className="icon-button mobile-only" onClick={() => ui.setDrawerOpen(true)} aria-label={t('sidebar.openMenu')}>
            <IconMenu />
          </button>
        </header>
        <div className="empty-state">
          <p>{missing ? t('conv.notFound') : t('conv.loading')}</p>
        </div>
      </section>
    );
  }

  const name = conversationName(conv, users, me, members ? Object.keys(members) : undefined);
  return (
    <MessageViewContext.Provider value={view}>
      <section className="conversation" aria-label={name} data-testid="conversation" {...drop.handlers}>
        {drop.over && <DropOverlay target={name} />}
        <ConversationHeader conv={conv} />
        {isMember ? (
          <>
            <MessageList key={convId} conv={conv} targetId={ui.highlight} />
            <TypingIndicator convId={convId} threadRootId={null} />
            {conv.archived ? (
              <p className="archived-note muted">{t('conv.archived')}</p>
            ) : (
              <Composer ref={composer} convId={convId} threadRootId={null} placeholder={t('composer.placeholder', { name: conv.kind === 'channel' ? `#${name}` : name })} onEditLast={editLast} />
            )}
          </>
        ) : (
          <div className="empty-state">
            <p>{t('conv.notMember')}</p>
            {conv.kind === 'channel' && conv.visibility === 'public' && (
              <button
                type="button"
                className="button primary"
                onClick={() =>
                  void store.joinChannel(convId).catch((e: unknown) => {
                    setJoinError(describeError(e, t));
                  })
                }
              >
                {t('conv.join')}
              </button>
            )}
            {joinError && (
              <p className="error" role="alert">
                {joinError}
              </p>
            )}
          </div>
        )}
      </section>
      {recalling && <RecallDialog msg={recalling} onClose={() => setRecalling(null)} />}
    </MessageViewContext.Provider>
  );
}
