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
import { BurnBadge, BurnBody } from './BurnBody';
import { PinMarker } from './PinMarker';
import { ProfileTrigger } from '../profile/ProfileTrigger';
import { EditedMarker } from '../edits/EditHistory';

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
  // A burn message's row never shows its words unrevealed: not the shared copy's (always empty),
  // not even the sender's own while it is being sent.
  const burn = msg?.burn ?? null;
  const pendingBurn = pending?.burn_after ?? null;
  const burned = burn?.burned_at != null;

  return (
    <div
      className={`message ${grouped ? 'grouped' : ''} ${status !== 'sent' ? status : ''} ${recalled ? 'recalled' : ''} ${highlighted ? 'highlighted' : ''} ${senderId === me.id ? 'mine' : ''} ${msg?.pinned_at && !recalled ? 'pinned' : ''}`}
      data-testid="message"
      data-message-id={msg?.id ?? ''}
      data-client-msg-id={msg?.client_msg_id ?? pending?.client_msg_id}
      data-seq={msg?.seq ?? ''}
      data-status={status}
      data-sender={sender?.username ?? ''}
      data-burn={burn || pendingBurn !== null ? (burned ? 'burned' : 'yes') : undefined}
      role="article"
      aria-label={`${userLabel(sender)} ${timeLabel(at)}`}
    >
      <div className="gutter">
        {grouped ? (
          <time className="gutter-time" dateTime={new Date(at).toISOString()}>
            {timeLabel(at)}
          </time>
        ) : (
          <ProfileTrigger userId={senderId} name={userLabel(sender)} mouseOnly>
            <Avatar user={sender} id={senderId} size={36} />
          </ProfileTrigger>
        )}
      </div>
      <div className="message-main">
        {!grouped && (
          <div className="message-header">
            <ProfileTrigger userId={senderId} className="sender">
              {userLabel(sender)}
            </ProfileTrigger>
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
        {msg?.pinned_by && !recalled && <PinMarker pinnedBy={msg.pinned_by} />}
        {recalled ? (
          <div className="md tombstone" data-testid="message-body">
            {t('message.recalled')}
          </div>
        ) : msg && burn ? (
          <BurnBody msg={msg} burn={burn} />
        ) : pendingBurn !== null ? (
          <div className="burn">
            <BurnBadge seconds={pendingBurn} />
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
        {pending && pendingBurn === null && files.some((f) => f.name) && (
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
        {msg?.edited_at && !recalled && !editing && <EditedMarker msg={msg} />}
        {msg && !recalled && <TagChips msg={msg} />}
        {msg && !recalled && !burned && <Reactions msg={msg} />}
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
