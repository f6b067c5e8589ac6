import { memo } from 'react';
import type { EphemeralMessage } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { userLabel } from '../chat/names';
import { useT } from '../i18n/i18n';
import { MessageBody } from '../markdown/MessageBody';
import { Avatar } from '../ui/Avatar';
import { IconClose, IconEye } from '../ui/icons';
import { fullTime, timeLabel } from './format';

/**
 * An answer only this reader sees (a slash command's, a reminder's confirmation): shown apart
 * from the log's messages, from the command's bot, until dismissed or the page reloads.
 */
export const EphemeralRow = memo(function EphemeralRow({ msg }: { msg: EphemeralMessage }) {
  const t = useT();
  const store = useStore();
  const me = useChat((s) => s.me.username);
  const sender = useChat((s) => s.users[msg.sender_id]);
  const at = msg.created_at;
  return (
    <div className="message ephemeral" data-testid="ephemeral-message" data-ephemeral-id={msg.id} role="article" aria-label={`${userLabel(sender)} ${timeLabel(at)}, ${t('ephemeral.onlyYou')}`}>
      <div className="gutter">
        <Avatar user={sender} id={msg.sender_id} size={36} />
      </div>
      <div className="message-main">
        <div className="message-header">
          <span className="sender">{userLabel(sender)}</span>
          {sender?.is_bot && <span className="tag">{t('message.bot')}</span>}
          <time className="time" dateTime={at} title={fullTime(at)}>
            {timeLabel(at)}
          </time>
          <span className="ephemeral-label" data-testid="ephemeral-label">
            <IconEye />
            {t('ephemeral.onlyYou')}
          </span>
        </div>
        <MessageBody body={msg.body} me={me} />
      </div>
      <button
        type="button"
        className="icon-button small ephemeral-dismiss"
        data-testid="ephemeral-dismiss"
        aria-label={t('ephemeral.dismiss')}
        title={t('ephemeral.dismiss')}
        onClick={() => store.dismissEphemeral(msg.conv_id, msg.id)}
      >
        <IconClose />
      </button>
    </div>
  );
});
