import { useState } from 'react';
import type { Conversation } from '@parley/protocol';
import { useChat } from '../chat/context';
import { conversationName } from '../chat/names';
import { useUi } from '../app/ui-context';
import { useT } from '../i18n/i18n';
import { PresenceDot } from '../sidebar/PresenceDot';
import { IconHash, IconLink, IconLock, IconMenu, IconSearch, IconUsers } from '../ui/icons';
import { canManageWebhooks, WebhooksDialog } from './WebhooksDialog';
import { TagsButton } from './TagsButton';
import { searchScope } from '../search/scope';

export function ConversationHeader({ conv }: { conv: Conversation }) {
  const t = useT();
  const ui = useUi();
  const users = useChat((s) => s.users);
  const me = useChat((s) => s.me.id);
  const meUser = useChat((s) => s.me);
  const [webhooksOpen, setWebhooksOpen] = useState(false);
  const members = useChat((s) => s.members[conv.id]);
  const presence = useChat((s) => (conv.dm_user_id ? s.presence[conv.dm_user_id]?.status : undefined));
  const name = conversationName(conv, users, me, members ? Object.keys(members) : undefined);
  const other = conv.dm_user_id ? users[conv.dm_user_id] : undefined;
  // Only channels and DMs can be named in a query (`in:#name`, `in:@user`).
  const searchIn = searchScope(conv, users);
  const subtitle = conv.kind === 'dm' ? (other ? `@${other.username}${presence ? ` · ${t(`presence.${presence}`)}` : ''}` : '') : conv.topic || t('conv.noTopic');
  return (
    <header className="conversation-header" data-testid="conversation-header">
      <button type="button" className="icon-button mobile-only" onClick={() => ui.setDrawerOpen(true)} aria-label={t('sidebar.openMenu')}>
        <IconMenu />
      </button>
      <span className="conv-icon" aria-hidden="true">
        {conv.kind === 'dm' ? <PresenceDot userId={conv.dm_user_id} /> : conv.kind === 'group' ? <IconUsers /> : conv.visibility === 'private' ? <IconLock /> : <IconHash />}
      </span>
      <div className="header-text">
        <h1 className="conv-title">{conv.kind === 'dm' && conv.dm_user_id === me ? t('conv.noteToSelf', { name }) : name}</h1>
        <p className="conv-topic muted" title={subtitle}>
          {subtitle}
        </p>
      </div>
      {conv.kind !== 'dm' && (
        <span className="member-count muted" data-testid="member-count" title={t('conv.members', { n: conv.member_count })}>
          <IconUsers /> <span>{conv.member_count}</span>
          <span className="visually-hidden">{conv.member_count === 1 ? t('conv.member') : t('conv.members', { n: conv.member_count })}</span>
        </span>
      )}
      {canManageWebhooks(conv, meUser) && (
        <button type="button" className="icon-button" data-testid="open-webhooks" aria-label={t('webhooks.open')} title={t('webhooks.open')} onClick={() => setWebhooksOpen(true)}>
          <IconLink />
        </button>
      )}
      <TagsButton conv={conv} scope={searchIn} />
      {webhooksOpen && <WebhooksDialog conv={conv} name={name} onClose={() => setWebhooksOpen(false)} />}
      {searchIn && (
        <button
          type="button"
          className="icon-button"
          data-testid="search-in-conversation"
          aria-label={t('search.inConversation')}
          title={t('search.inConversation')}
          onClick={() => ui.openSearch(searchIn)}
        >
          <IconSearch />
        </button>
      )}
    </header>
  );
}
