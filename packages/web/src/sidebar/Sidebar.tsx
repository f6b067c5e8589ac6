import { useMemo, type ReactNode } from 'react';
import { useChat } from '../chat/context';
import { userLabel } from '../chat/names';
import { useUi } from '../app/ui-context';
import { useT } from '../i18n/i18n';
import { ThemeToggle } from '../settings/ThemeToggle';
import { Avatar } from '../ui/Avatar';
import { IconClose, IconCompass, IconLock, IconPlus, IconSearch, IconSettings, IconUsers } from '../ui/icons';
import { ADMIN_PATH, navigate } from '../app/router';
import { ConvItem } from './ConvItem';
import { NetworkStatus } from './NetworkStatus';
import { useTouchOnly } from '../ui/touch';
import { SavedButton } from '../pins/SavedButton';
import { sidebarSections } from './order';

function Section({ title, actions, children, id }: { title: string; actions: ReactNode; children: ReactNode; id: string }) {
  return (
    <section className="sidebar-section" aria-labelledby={id}>
      <div className="section-header">
        <h2 id={id}>{title}</h2>
        <div className="section-actions">{actions}</div>
      </div>
      <ul className="conv-list">{children}</ul>
    </section>
  );
}

export function Sidebar({ activeId }: { activeId: string | null }) {
  const t = useT();
  const ui = useUi();
  // Keyboard shortcuts mean nothing on a phone: the labels leave them out there.
  const touch = useTouchOnly();
  const conversations = useChat((s) => s.conversations);
  const me = useChat((s) => s.me);
  // The order Alt+↑/↓ follows too (order.ts).
  const { channels, groups, dms } = useMemo(() => sidebarSections(conversations), [conversations]);

  const action = (testId: string, label: string, icon: ReactNode, kind: Parameters<typeof ui.openDialog>[0]) => (
    <button type="button" className="icon-button small" data-testid={testId} aria-label={label} title={label} onClick={() => ui.openDialog(kind)}>
      {icon}
    </button>
  );

  return (
    <nav className="sidebar" data-testid="sidebar" aria-label={t('sidebar.label')}>
      <div className="sidebar-top">
        <span className="workspace">{t('app.name')}</span>
        <button type="button" className="icon-button mobile-only" onClick={() => ui.setDrawerOpen(false)} aria-label={t('sidebar.closeMenu')}>
          <IconClose />
        </button>
      </div>
      <button type="button" className="switcher-button" onClick={() => ui.openDialog('switcher')}>
        <IconSearch />
        <span>{t(touch ? 'sidebar.searchTouch' : 'sidebar.search')}</span>
      </button>
      <button type="button" className="switcher-button" data-testid="open-search" onClick={() => ui.openSearch()}>
        <IconSearch />
        <span>{t(touch ? 'search.openTouch' : 'search.open')}</span>
      </button>
      <SavedButton />
      {/* A row like Saved messages, not another footer icon: the footer keeps room for the name. */}
      {(me.role === 'owner' || me.role === 'admin') && (
        <button type="button" className="switcher-button" data-testid="admin-open" onClick={() => navigate(ADMIN_PATH)}>
          <IconLock />
          <span>{t('admin.open')}</span>
        </button>
      )}
      <div className="sidebar-scroll">
        <Section
          id="sec-channels"
          title={t('sidebar.channels')}
          actions={
            <>
              {action('browse-channels', t('sidebar.browse'), <IconCompass />, 'browse')}
              {action('new-channel', t('sidebar.newChannel'), <IconPlus />, 'new-channel')}
            </>
          }
        >
          {channels.map((c) => (
            <ConvItem key={c.id} conv={c} active={c.id === activeId} />
          ))}
          {channels.length === 0 && <li className="muted small-pad">{t('sidebar.empty')}</li>}
        </Section>
        {groups.length > 0 && (
          <Section id="sec-groups" title={t('sidebar.groups')} actions={null}>
            {groups.map((c) => (
              <ConvItem key={c.id} conv={c} active={c.id === activeId} />
            ))}
          </Section>
        )}
        <Section
          id="sec-dms"
          title={t('sidebar.dms')}
          actions={
            <>
              {action('new-group', t('sidebar.newGroup'), <IconUsers />, 'new-group')}
              {action('new-dm', t('sidebar.newDm'), <IconPlus />, 'new-dm')}
            </>
          }
        >
          {dms.map((c) => (
            <ConvItem key={c.id} conv={c} active={c.id === activeId} />
          ))}
          {dms.length === 0 && <li className="muted small-pad">{t('sidebar.empty')}</li>}
        </Section>
      </div>
      <div className="sidebar-footer">
        <Avatar user={me} id={me.id} size={28} />
        <span className="me-name" title={`@${me.username}`}>
          {userLabel(me)}
        </span>
        <NetworkStatus />
        <ThemeToggle />
        <button type="button" className="icon-button" data-testid="settings-open" aria-label={t('settings.open')} title={t('settings.open')} onClick={() => ui.openDialog('settings')}>
          <IconSettings />
        </button>
      </div>
    </nav>
  );
}
