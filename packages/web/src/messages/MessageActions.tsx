import { useRef, useState } from 'react';
import type { Message } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { useUi } from '../app/ui-context';
import { useT } from '../i18n/i18n';
import { toast } from '../ui/toast';
import { IconEdit, IconLink, IconMore, IconReply, IconSmile, IconTrash } from '../ui/icons';
import { useMessageView } from './conv-context';
import { EmojiPicker } from './EmojiPicker';
import { Popover } from './Popover';

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
  const convRole = useChat((s) => s.conversations[msg.conv_id]?.membership?.role);
  const [menu, setMenu] = useState(false);
  const [picker, setPicker] = useState(false);
  const button = useRef<HTMLButtonElement>(null);

  const mine = msg.sender_id === me.id;
  const age = Date.now() - Date.parse(msg.created_at);
  const admin = me.role === 'owner' || me.role === 'admin' || convRole === 'owner' || convRole === 'admin';
  const canEdit = mine && !msg.recalled && (limits?.edit_window_ms == null || age < limits.edit_window_ms);
  const canRecall = !msg.recalled && (admin || (mine && (limits?.recall_window_ms == null || age < limits.recall_window_ms)));
  const inThread = view.threadRootId !== null;

  const run = (f: () => void) => () => {
    setMenu(false);
    f();
  };

  return (
    <div className={`msg-toolbar ${menu || picker ? 'open' : ''}`}>
      {!msg.recalled && (
        <button type="button" className="icon-button small" aria-label={t('message.react')} title={t('message.react')} onClick={() => setPicker(true)} tabIndex={-1}>
          <IconSmile />
        </button>
      )}
      {!inThread && !msg.recalled && (
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
        onClick={() => setMenu((m) => !m)}
      >
        <IconMore />
      </button>
      {menu && (
        <Popover anchor={button.current} onClose={() => setMenu(false)} label={t('message.actions')} role="menu" testId="message-menu">
          {!msg.recalled && (
            <button type="button" role="menuitem" className="menu-item" data-testid="action-react" onClick={run(() => setPicker(true))}>
              <IconSmile /> {t('message.react')}
            </button>
          )}
          {!inThread && !msg.recalled && (
            <button type="button" role="menuitem" className="menu-item" data-testid="action-reply" onClick={run(() => ui.openThread(msg.conv_id, msg.id))}>
              <IconReply /> {t('message.reply')}
            </button>
          )}
          {canEdit && (
            <button type="button" role="menuitem" className="menu-item" data-testid="action-edit" onClick={run(() => view.setEditingId(msg.id))}>
              <IconEdit /> {t('message.edit')}
            </button>
          )}
          {canRecall && (
            <button type="button" role="menuitem" className="menu-item danger" data-testid="action-recall" onClick={run(() => view.requestRecall(msg))}>
              <IconTrash /> {t('message.recall')}
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
        </Popover>
      )}
      {picker && <EmojiPicker anchor={button.current} onClose={() => setPicker(false)} onPick={(e) => store.toggleReactionOrSay(msg, e)} />}
    </div>
  );
}
