import { lazy, Suspense, useState } from 'react';
import type { Conversation } from '@parley/protocol';
import { useChat } from '../chat/context';
import { conversationName } from '../chat/names';
import { useUi } from '../app/ui-context';
import { useT } from '../i18n/i18n';
import { PresenceDot } from '../sidebar/PresenceDot';
import { IconHash, IconInfo, IconLink, IconLock, IconMenu, IconSearch, IconUsers } from '../ui/icons';
import { canManageWebhooks } from './webhook-access';

// The webhooks dialog (both directions, deliveries, forms) loads when first opened.
const WebhooksDialog = lazy(() => import('./WebhooksDialog').then((m) => ({ default: m.WebhooksDialog })));
import { TagsButton } from './TagsButton';
import { PinsButton } from '../pins/PinsButton';
import { NotifyLevelButton } from './NotifyLevelButton';
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
      <span className={`conv-icon ${conv.kind === 'dm' ? '' : 'wide-only'}`} aria-hidden="true">
        {conv.kind === 'dm' ? <PresenceDot userId={conv.dm_user_id} /> : conv.kind === 'group' ? <IconUsers /> : conv.visibility === 'private' ? <IconLock /> : <IconHash />}
      </span>
      <div className="header-text">
        <h1 className="conv-title">{conv.kind === 'dm' && conv.dm_user_id === me ? t('conv.noteToSelf', { name }) : name}</h1>
        <p className="conv-topic muted" title={conv.purpose ? `${subtitle}\n${conv.purpose}` : subtitle} data-testid="conv-topic">
          {subtitle}
          {conv.kind !== 'dm' && conv.purpose && <span data-testid="conv-purpose"> · {conv.purpose}</span>}
        </p>
      </div>
      {conv.kind !== 'dm' && (
        <button
          type="button"
          className="member-count muted member-count-button wide-only"
          data-testid="member-count"
          title={t('conv.members', { n: conv.member_count })}
          onClick={() => ui.openDetails(conv.id, 'members')}
        >
          <IconUsers /> <span>{conv.member_count}</span>
          <span className="visually-hidden">{conv.member_count === 1 ? t('conv.member') : t('conv.members', { n: conv.member_count })}</span>
        </button>
      )}
      {canManageWebhooks(conv, meUser) && (
        <button type="button" className="icon-button wide-only" data-testid="open-webhooks" aria-label={t('webhooks.open')} title={t('webhooks.open')} onClick={() => setWebhooksOpen(true)}>
          <IconLink />
        </button>
      )}
      <NotifyLevelButton conv={conv} />
      <PinsButton conv={conv} />
      <TagsButton conv={conv} scope={searchIn} />
      {webhooksOpen && (
        <Suspense fallback={null}>
          <WebhooksDialog conv={conv} name={name} onClose={() => setWebhooksOpen(false)} />
        </Suspense>
      )}
      <button
        type="button"
        className="icon-button"
        data-testid="open-details"
        aria-label={t('details.open')}
        title={t('details.open')}
        aria-expanded={ui.details?.convId === conv.id}
        onClick={() => (ui.details?.convId === conv.id ? ui.closeDetails() : ui.openDetails(conv.id))}
      >
        <IconInfo />
      </button>
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
