import { useCallback, useRef, useState } from 'react';
import type { Message } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { useUi } from '../app/ui-context';
import { useT } from '../i18n/i18n';
import { toast } from '../ui/toast';
import { IconBookmark, IconEdit, IconLink, IconMore, IconPin, IconReply, IconSignal, IconSmile, IconTrash } from '../ui/icons';
import { ADMIN_PATH, navigate } from '../app/router';
import { useMarks } from '../chat/use-marks';
import { describeError } from '../auth/errors';
import { useMessageView } from './conv-context';
import { EmojiPicker } from './EmojiPicker';
import { Popover } from './Popover';
import { useLongPress } from './long-press';
import { durationWords } from './burn-format';
import { EditHistoryDialog, useCanViewEdits } from '../edits/EditHistory';

export function messageLink(m: Message): string {
  return `${location.origin}/c/${m.conv_id}/${m.id}`;
}

async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // The async clipboard needs a secure context and focus; fall back to a hidden textarea.
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  document.execCommand('copy');
  ta.remove();
}

/** The per-message menu: reachable by hover and by Tab (the button is always in the tab order). */
export function MessageActions({ msg }: { msg: Message }) {
  const t = useT();
  const store = useStore();
  const ui = useUi();
  const view = useMessageView();
  const me = useChat((s) => s.me);
  const limits = useChat((s) => s.limits);
  const conv = useChat((s) => s.conversations[msg.conv_id]);
  const convRole = conv?.membership?.role;
  const saved = useMarks((m) => m.isSaved(msg.id));
  const [menu, setMenu] = useState(false);
  const [picker, setPicker] = useState(false);
  const [edits, setEdits] = useState(false);
  const canViewEdits = useCanViewEdits(msg);
  const button = useRef<HTMLButtonElement>(null);

  const mine = msg.sender_id === me.id;
  const age = Date.now() - Date.parse(msg.created_at);
  const admin = me.role === 'owner' || me.role === 'admin' || convRole === 'owner' || convRole === 'admin';
  // Burned for everyone, a burn message is a tombstone like a recalled one. Unburned, it can be
  // replied to and recalled, never edited: its words are only ever shown revealed.
  const gone = msg.recalled || !!msg.burn?.burned_at;
  const editWindow = limits?.edit_window_ms ?? null;
  const canEdit = mine && !gone && !msg.burn && (editWindow === null || age < editWindow);
  const canRecall = !gone && (admin || (mine && (limits?.recall_window_ms == null || age < limits.recall_window_ms)));
  const inThread = view.threadRootId !== null;
  // Who may post pins (the server checks again); an archived conversation's pins are frozen, and a
  // burn message's content is each reader's own, so it is never pinned nor saved.
  const active = !!conv?.membership && conv.membership.left_seq === null && !conv.archived;
  const canPin = active && !gone && !msg.burn && !msg.pinned_at;
  const canUnpin = active && !!msg.pinned_at && (msg.pinned_by === me.id || admin || conv?.kind === 'dm');
  const canSave = !gone && !msg.burn;

  const openMenu = useCallback(() => {
    // Whether this message is saved shows in the menu: my saved list is loaded once, then kept live.
    void store.marks.loadSaved().catch(() => undefined);
    setMenu(true);
  }, [store]);
  useLongPress(button, openMenu);

  const run = (f: () => void) => () => {
    setMenu(false);
    f();
  };

  return (
    <div className={`msg-toolbar ${menu || picker ? 'open' : ''}`}>
      {!gone && (
        <button type="button" className="icon-button small" aria-label={t('message.react')} title={t('message.react')} onClick={() => setPicker(true)} tabIndex={-1}>
          <IconSmile />
        </button>
      )}
      {!inThread && !gone && (
        <button type="button" className="icon-button small" aria-label={t('message.reply')} title={t('message.reply')} onClick={() => ui.openThread(msg.conv_id, msg.id)} tabIndex={-1}>
          <IconReply />
        </button>
      )}
      <button
        ref={button}
        type="button"
        className="icon-button small"
        data-testid="message-actions"
        aria-label={t('message.actions')}
        title={t('message.actions')}
        aria-haspopup="menu"
        aria-expanded={menu}
        onClick={() => (menu ? setMenu(false) : openMenu())}
      >
        <IconMore />
      </button>
      {menu && (
        <Popover anchor={button.current} onClose={() => setMenu(false)} label={t('message.actions')} role="menu" testId="message-menu">
          {!gone && (
            <button type="button" role="menuitem" className="menu-item" data-testid="action-react" onClick={run(() => setPicker(true))}>
              <IconSmile /> {t('message.react')}
            </button>
          )}
          {!inThread && !gone && (
            <button type="button" role="menuitem" className="menu-item" data-testid="action-reply" onClick={run(() => ui.openThread(msg.conv_id, msg.id))}>
              <IconReply /> {t('message.reply')}
            </button>
          )}
          {canEdit && (
            <button type="button" role="menuitem" className="menu-item" data-testid="action-edit" onClick={run(() => view.setEditingId(msg.id))}>
              <IconEdit /> {t('message.edit')}
              {editWindow !== null && <span className="menu-hint muted">{t('message.editFor', { time: durationWords(Math.max(1, Math.ceil((editWindow - age) / 60_000)) * 60, t) })}</span>}
            </button>
          )}
          {/* Said, not silently left out: the sender otherwise wonders where Edit went. */}
          {mine && !gone && !msg.burn && !canEdit && editWindow !== null && (
            <button type="button" role="menuitem" className="menu-item" data-testid="action-edit-closed" disabled>
              <IconEdit /> {t('message.editClosed', { time: durationWords(Math.round(editWindow / 1000), t) })}
            </button>
          )}
          {canViewEdits && (
            <button type="button" role="menuitem" className="menu-item" data-testid="action-edit-history" onClick={run(() => setEdits(true))}>
              <IconEdit /> {t('edits.view')}
            </button>
          )}
          {canRecall && (
            <button type="button" role="menuitem" className="menu-item danger" data-testid="action-recall" onClick={run(() => view.requestRecall(msg))}>
              <IconTrash /> {t('message.recall')}
            </button>
          )}
          {canPin && (
            <button
              type="button"
              role="menuitem"
              className="menu-item"
              data-testid="action-pin"
              onClick={run(() => {
                store.marks.pin(msg.id, 'add').then(
                  () => toast(t('pins.pinned')),
                  (e: unknown) => toast(t('pins.failed', { error: describeError(e, t) })),
                );
              })}
            >
              <IconPin /> {t('pins.pin')}
            </button>
          )}
          {canUnpin && (
            <button
              type="button"
              role="menuitem"
              className="menu-item"
              data-testid="action-unpin"
              onClick={run(() => {
                store.marks.pin(msg.id, 'remove').then(
                  () => toast(t('pins.unpinned')),
                  (e: unknown) => toast(t('pins.failed', { error: describeError(e, t) })),
                );
              })}
            >
              <IconPin /> {t('pins.unpin')}
            </button>
          )}
          {canSave && (
            <button
              type="button"
              role="menuitem"
              className="menu-item"
              data-testid={saved ? 'action-unsave' : 'action-save'}
              onClick={run(() => {
                store.marks.save(msg.id, saved ? 'remove' : 'add').then(
                  () => toast(t(saved ? 'saved.unsaved' : 'saved.saved')),
                  (e: unknown) => toast(t('saved.failed', { error: describeError(e, t) })),
                );
              })}
            >
              <IconBookmark /> {saved ? t('saved.unsave') : t('saved.save')}
            </button>
          )}
          <button
            type="button"
            role="menuitem"
            className="menu-item"
            data-testid="action-copy-link"
            onClick={run(() => {
              void copyText(messageLink(msg)).then(() => toast(t('message.linkCopied')));
            })}
          >
            <IconLink /> {t('message.copyLink')}
          </button>
          {/* Where did it go, device by device: the admin console's trace (the server checks the role too). */}
          {(me.role === 'owner' || me.role === 'admin') && (
            <button type="button" role="menuitem" className="menu-item" data-testid="action-trace" onClick={run(() => navigate(`${ADMIN_PATH}?trace=${msg.id}`))}>
              <IconSignal /> {t('message.trace')}
            </button>
          )}
        </Popover>
      )}
      {edits && <EditHistoryDialog msg={msg} onClose={() => setEdits(false)} />}
      {picker && <EmojiPicker anchor={button.current} onClose={() => setPicker(false)} onPick={(e) => store.toggleReactionOrSay(msg, e)} />}
    </div>
  );
}
