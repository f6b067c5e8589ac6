import { useMemo, useState } from 'react';
import { useChat, useStore } from '../chat/context';
import { navigate } from '../app/router';
import { AuditSection } from '../settings/AuditSection';
import { InvitesSection } from '../settings/InvitesSection';
import { LockoutsSection } from '../settings/LockoutsSection';
import { WorkspaceSecuritySection } from '../settings/WorkspaceSecuritySection';
import { TabList } from '../ui/TabList';
import { IconBack } from '../ui/icons';
import { AdminApi } from './admin-api';
import { ChannelsTab } from './ChannelsTab';
import { IntegrationsTab } from './IntegrationsTab';
import { OverviewTab } from './OverviewTab';
import { TraceTab } from './TraceTab';
import { UsersTab } from './UsersTab';
import { useAdminT } from './strings';
import './admin.css';

const TABS = ['overview', 'users', 'channels', 'integrations', 'trace', 'settings', 'audit', 'lockouts'] as const;
type Tab = (typeof TABS)[number];

/**
 * The admin console at `/admin` (its own chunk, loaded when opened): live figures, users and their
 * sessions, channels, integrations, and the settings, audit log and lockouts sections of Settings as they are.
 * A member or guest who opens the address is told it is not for them (the server refuses them anyway).
 */
export function AdminConsole() {
  const t = useAdminT();
  const store = useStore();
  const me = useChat((s) => s.me);
  const api = useMemo(() => new AdminApi(store), [store]);
  // `/admin?trace=ID` (a message's menu) opens the trace of that message.
  const [traceOf] = useState(() => new URLSearchParams(location.search).get('trace'));
  const [tab, setTab] = useState<Tab>(traceOf ? 'trace' : 'overview');
  const allowed = me.role === 'owner' || me.role === 'admin';

  return (
    <div className="admin-console" data-testid="admin-console">
      <header className="admin-header">
        <button type="button" className="icon-button" data-testid="admin-back" aria-label={t('back')} title={t('back')} onClick={() => navigate('/')}>
          <IconBack />
        </button>
        <h1>{t('title')}</h1>
      </header>
      {!allowed ? (
        <p className="admin-not-allowed" role="alert" data-testid="admin-not-allowed">
          {t('notAllowed')}
        </p>
      ) : (
        <>
          <TabList keys={TABS} current={tab} onSelect={setTab} label={t('tabs')} idBase="admin" testIdPrefix="admin-tab-" renderLabel={(k) => t(`tab.${k}`)} className="admin-tabs" />
          <div className="admin-panel" role="tabpanel" id={`admin-${tab}`} aria-labelledby={`admin-${tab}-tab`} tabIndex={0}>
            {tab === 'overview' && <OverviewTab api={api} />}
            {tab === 'users' && <UsersTab api={api} />}
            {tab === 'channels' && <ChannelsTab api={api} />}
            {tab === 'integrations' && <IntegrationsTab api={api} />}
            {tab === 'trace' && <TraceTab api={api} initial={traceOf} />}
            {tab === 'settings' && (
              <div className="admin-sections">
                <WorkspaceSecuritySection />
                <InvitesSection />
              </div>
            )}
            {tab === 'audit' && <AuditSection />}
            {tab === 'lockouts' && <LockoutsSection />}
          </div>
        </>
      )}
    </div>
  );
}
