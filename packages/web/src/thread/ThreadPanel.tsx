import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Message } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { useUi } from '../app/ui-context';
import { Composer, type ComposerHandle } from '../composer/Composer';
import { DropOverlay } from '../files/DropOverlay';
import { useFileDrop } from '../files/useFileDrop';
import { TypingIndicator } from '../conversation/TypingIndicator';
import { useT } from '../i18n/i18n';
import { MessageViewContext, type MessageViewState } from '../messages/conv-context';
import { MessageRow } from '../messages/MessageRow';
import { EphemeralRow } from '../messages/EphemeralRow';
import { ephemeralIn } from '../chat/ephemeral';
import { RecallDialog } from '../messages/RecallDialog';
import { IconClose } from '../ui/icons';

const GROUP_MS = 5 * 60_000;

/** A thread beside the conversation: the root, its replies (live), and a composer that replies. */
export function ThreadPanel({ convId, rootId }: { convId: string; rootId: string }) {
  const t = useT();
  const ui = useUi();
  const store = useStore();
  const thread = useChat((s) => s.threads[rootId]);
  const pendingAll = useChat((s) => s.pending);
  const me = useChat((s) => s.me.id);
  const ephemeralAll = useChat((s) => s.ephemeral[convId]);
  const ephemeral = useMemo(() => ephemeralIn(ephemeralAll, rootId), [ephemeralAll, rootId]);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [recalling, setRecalling] = useState<Message | null>(null);
  const composer = useRef<ComposerHandle>(null);
  const endRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLElement>(null);

  const pending = useMemo(
    () =>
      Object.values(pendingAll)
        .filter((p) => p.reply_to === rootId)
        .sort((a, b) => a.created_at - b.created_at),
    [pendingAll, rootId],
  );
  const replies = thread?.replies ?? [];

  useEffect(() => {
    composer.current?.focus();
  }, [rootId]);
  // Follow the end when a reply arrives or is written, not when earlier replies are loaded above.
  const lastKey = `${pending.at(-1)?.client_msg_id ?? replies.at(-1)?.id ?? ''}:${ephemeral.at(-1)?.id ?? ''}`;
  useEffect(() => {
    endRef.current?.scrollIntoView({ block: 'end' });
  }, [lastKey]);

  const focusComposer = useCallback(() => composer.current?.focus(), []);
  const drop = useFileDrop((files) => composer.current?.addFiles(files));
  const view = useMemo<MessageViewState>(() => ({ editingId, setEditingId, requestRecall: setRecalling, threadRootId: rootId, focusComposer }), [editingId, rootId, focusComposer]);

  const editLast = useCallback((): boolean => {
    for (let i = replies.length - 1; i >= 0; i--) {
      const m = replies[i]!;
      if (m.sender_id === me && !m.recalled && !m.burn) {
        setEditingId(m.id);
        return true;
      }
    }
    return false;
  }, [replies, me]);

  return (
    <MessageViewContext.Provider value={view}>
      <aside
        ref={panelRef}
        className="thread-panel"
        data-testid="thread-panel"
        aria-label={t('thread.title')}
        {...drop.handlers}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && !e.defaultPrevented) {
            e.preventDefault();
            ui.closeThread();
          }
        }}
      >
        {drop.over && <DropOverlay target={t('thread.title')} />}
        <header className="thread-header">
          <h2>{t('thread.title')}</h2>
          <button type="button" className="icon-button" onClick={ui.closeThread} aria-label={t('thread.close')} data-testid="thread-close">
            <IconClose />
          </button>
        </header>
        <div className="thread-scroll">
          {thread?.root ? <MessageRow msg={thread.root} grouped={false} /> : <p className="muted small-pad">{thread?.error ?? t('thread.loading')}</p>}
          <div className="thread-divider muted">
            {thread?.root ? (thread.root.reply_count === 1 ? t('message.reply1') : thread.root.reply_count > 1 ? t('message.replies', { n: thread.root.reply_count }) : t('thread.noReplies')) : ''}
          </div>
          {thread?.hasOlder && (
            <button type="button" className="link-button thread-older" data-testid="thread-older" disabled={thread.loadingOlder} onClick={() => void store.loadOlderReplies(rootId)}>
              {thread.loadingOlder ? t('thread.loading') : t('thread.older')}
            </button>
          )}
          {replies.map((m, i) => {
            const prev = replies[i - 1];
            const grouped = !!prev && prev.sender_id === m.sender_id && Date.parse(m.created_at) - Date.parse(prev.created_at) < GROUP_MS && !prev.recalled;
            return <MessageRow key={m.id} msg={m} grouped={grouped} />;
          })}
          {pending.map((p) => (
            <MessageRow key={p.client_msg_id} pending={p} grouped={false} />
          ))}
          {ephemeral.map((m) => (
            <EphemeralRow key={m.id} msg={m} />
          ))}
          <div ref={endRef} />
        </div>
        <TypingIndicator convId={convId} threadRootId={rootId} />
        <Composer ref={composer} convId={convId} threadRootId={rootId} placeholder={t('composer.placeholderThread')} onEditLast={editLast} />
      </aside>
      {recalling && <RecallDialog msg={recalling} onClose={() => setRecalling(null)} />}
    </MessageViewContext.Provider>
  );
}
