import { memo } from 'react';
import type { Message } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { userLabel } from '../chat/names';
import type { PendingMessage } from '../chat/types';
import { useUi } from '../app/ui-context';
import { useT } from '../i18n/i18n';
import { Attachments } from '../files/Attachments';
import { formatSize } from '../files/kind';
import { MessageBody } from '../markdown/MessageBody';
import { Avatar } from '../ui/Avatar';
import { useMessageView } from './conv-context';
import { EditForm } from './EditForm';
import { fullTime, timeLabel } from './format';
import { MessageActions } from './MessageActions';
import { Reactions } from './Reactions';
import { TagChips } from './TagChips';
import { sendErrorText } from './format';

const NO_FILES: readonly { id: string; name: string; size: number }[] = [];

interface Props {
  msg?: Message;
  pending?: PendingMessage;
  grouped: boolean;
  highlighted?: boolean;
  /** Read receipts rendered under this message (my last one in a DM or group). */
  footer?: React.ReactNode;
}

/** One message (sent, pending or failed), its reactions, thread summary and actions. */
export const MessageRow = memo(function MessageRow({ msg, pending, grouped, highlighted, footer }: Props) {
  const t = useT();
  const store = useStore();
  const ui = useUi();
  const view = useMessageView();
  const me = useChat((s) => s.me);
  const senderId = msg?.sender_id ?? me.id;
  const sender = useChat((s) => s.users[senderId]);
  const body = msg?.body ?? pending?.body ?? '';
  const at = msg?.created_at ?? pending?.created_at ?? 0;
  const status = pending ? pending.status : 'sent';
  const editing = !!msg && view.editingId === msg.id;
  const recalled = msg?.recalled ?? false;
  const files = msg?.attachments ?? pending?.files ?? NO_FILES;

  return (
    <div
      className={`message ${grouped ? 'grouped' : ''} ${status !== 'sent' ? status : ''} ${recalled ? 'recalled' : ''} ${highlighted ? 'highlighted' : ''} ${senderId === me.id ? 'mine' : ''}`}
      data-testid="message"
      data-message-id={msg?.id ?? ''}
      data-client-msg-id={msg?.client_msg_id ?? pending?.client_msg_id}
      data-seq={msg?.seq ?? ''}
      data-status={status}
      data-sender={sender?.username ?? ''}
      role="article"
      aria-label={`${userLabel(sender)} ${timeLabel(at)}`}
    >
      <div className="gutter">
        {grouped ? (
          <time className="gutter-time" dateTime={new Date(at).toISOString()}>
            {timeLabel(at)}
          </time>
        ) : (
          <Avatar user={sender} id={senderId} size={36} />
        )}
      </div>
      <div className="message-main">
        {!grouped && (
          <div className="message-header">
            <span className="sender">{userLabel(sender)}</span>
            {sender?.is_bot && (
              <span className="tag" data-testid="bot-badge">
                {t('message.bot')}
              </span>
            )}
            <time className="time" dateTime={new Date(at).toISOString()} title={fullTime(at)}>
              {timeLabel(at)}
            </time>
          </div>
        )}
        {recalled ? (
          <div className="md tombstone" data-testid="message-body">
            {t('message.recalled')}
          </div>
        ) : editing && msg ? (
          <EditForm
            msg={msg}
            onDone={() => {
              view.setEditingId(null);
              view.focusComposer();
            }}
          />
        ) : body.trim() === '' && files.length > 0 ? null : (
          <MessageBody body={body} me={me.username} hereReachedMe={!!msg && msg.mentions.includes(me.id)} />
        )}
        {msg && !recalled && msg.attachments.length > 0 && <Attachments items={msg.attachments} />}
        {pending && files.some((f) => f.name) && (
          <ul className="pending-files" aria-label={t('files.pending')}>
            {files
              .filter((f) => f.name)
              .map((f) => (
                <li key={f.id} className="file-chip">
                  <span className="file-chip-name">{f.name}</span>
                  <span className="muted">{formatSize(f.size)}</span>
                </li>
              ))}
          </ul>
        )}
        {msg?.edited_at && !recalled && !editing && <span className="edited muted">{t('message.edited')}</span>}
        {msg && !recalled && <TagChips msg={msg} />}
        {msg && !recalled && <Reactions msg={msg} />}
        {msg && msg.reply_count > 0 && view.threadRootId === null && (
          <button type="button" className="thread-summary" onClick={() => ui.openThread(msg.conv_id, msg.id)}>
            {msg.reply_count === 1 ? t('message.reply1') : t('message.replies', { n: msg.reply_count })}
          </button>
        )}
        {pending && (
          <div className={`send-status ${pending.status}`} role={pending.status === 'failed' ? 'alert' : undefined}>
            {pending.status === 'pending' ? (
              t('message.pending')
            ) : (
              <>
                <span>
                  {t('message.failed')}
                  {pending.error ? ` (${sendErrorText(pending.error, t)})` : ''}
                </span>
                <button type="button" className="link-button" data-testid="message-retry" onClick={() => store.retry(pending.client_msg_id)}>
                  {t('message.retry')}
                </button>
                <button type="button" className="link-button" onClick={() => store.discard(pending.client_msg_id)}>
                  {t('message.discard')}
                </button>
              </>
            )}
          </div>
        )}
        {footer}
      </div>
      {msg && !editing && <MessageActions msg={msg} />}
    </div>
  );
});
