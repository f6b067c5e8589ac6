import { memo, useEffect } from 'react';
import type { Conversation } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { conversationName } from '../chat/names';
import { convPath, navigate } from '../app/router';
import { useT } from '../i18n/i18n';
import { useUi } from '../app/ui-context';
import { IconBellOff, IconHash, IconLock, IconUsers } from '../ui/icons';
import { PresenceDot } from './PresenceDot';
import { StatusEmoji } from '../profile/StatusEmoji';

interface Props {
  conv: Conversation;
  active: boolean;
}

export const ConvItem = memo(function ConvItem({ conv, active }: Props) {
  const t = useT();
  const store = useStore();
  const ui = useUi();
  const users = useChat((s) => s.users);
  const me = useChat((s) => s.me.id);
  const members = useChat((s) => s.members[conv.id]);
  const unnamedGroup = conv.kind === 'group' && !conv.name;
  useEffect(() => {
    if (unnamedGroup) void store.loadMembers(conv.id);
  }, [unnamedGroup, conv.id, store]);
  const name = conversationName(conv, users, me, members ? Object.keys(members) : undefined);
  const muted = conv.membership?.muted === true;
  // Muted: unread messages do not call for attention (no bold, no count); mentions still do.
  const unread = active || muted ? 0 : conv.unread_count;
  const mentions = active ? 0 : conv.mention_count;
  // Counts are read out as words from hidden text, the badges' digits hidden from screen readers:
  // the link's name is then its visible name plus the counts, never a label that differs from
  // what is on screen (axe: label-content-name-mismatch).
  const counts = [unread ? t('sidebar.unread', { n: unread }) : '', mentions ? t('sidebar.mentions', { n: mentions }) : ''].filter(Boolean).join(', ');
  return (
    <li>
      <a
        href={convPath(conv.id)}
        className={`conv-item ${active ? 'active' : ''} ${unread ? 'unread' : ''} ${muted ? 'muted' : ''}`}
        data-testid="conv-item"
        data-conv-id={conv.id}
        data-kind={conv.kind}
        data-unread={String(unread)}
        aria-current={active ? 'page' : undefined}
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
          e.preventDefault();
          // On a phone the drawer covers the conversation: picking the open one closes it too.
          if (active) ui.setDrawerOpen(false);
          else navigate(convPath(conv.id));
        }}
      >
        <span className="conv-icon" aria-hidden="true">
          {conv.kind === 'dm' ? <PresenceDot userId={conv.dm_user_id} /> : conv.kind === 'group' ? <IconUsers /> : conv.visibility === 'private' ? <IconLock /> : <IconHash />}
        </span>
        <span className="conv-name">{conv.kind === 'dm' && conv.dm_user_id === me ? t('conv.noteToSelf', { name }) : name}</span>
        {conv.kind === 'dm' && conv.dm_user_id && <StatusEmoji user={users[conv.dm_user_id]} />}
        {muted && (
          <span className="conv-muted" title={t('sidebar.muted')}>
            <IconBellOff />
            <span className="visually-hidden">, {t('sidebar.muted')}</span>
          </span>
        )}
        {counts && <span className="visually-hidden">, {counts}</span>}
        {mentions > 0 && (
          <span className="badge mention" data-testid="mention-badge" aria-hidden="true">
            @{mentions}
          </span>
        )}
        {unread > 0 && (
          <span className="badge" data-testid="unread-badge" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </a>
    </li>
  );
});
