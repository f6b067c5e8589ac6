import { useEffect, useState } from 'react';
import type { Session } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { userLabel } from '../chat/names';
import { setThemePref, useTheme, type ThemePref } from '../app/theme';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { relativeTime } from '../messages/format';
import { useInstallPrompt } from '../pwa/install';
import { Dialog } from '../ui/Dialog';
import { LanguageSelect } from './LanguageSelect';
import { TokensSection } from './TokensSection';
import { TwoFactorSection } from './TwoFactorSection';
import { WorkspaceSecuritySection } from './WorkspaceSecuritySection';
import { SlashCommandsSection } from './SlashCommandsSection';
import { LockoutsSection } from './LockoutsSection';
import { AuditSection } from './AuditSection';
import { InvitesSection } from './InvitesSection';
import { NotificationsSection } from './NotificationsSection';
import { ProfileSection } from './ProfileSection';
import { useUi } from '../app/ui-context';
import { ADMIN_PATH, navigate } from '../app/router';

export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const store = useStore();
  const me = useChat((s) => s.me);
  const { pref } = useTheme();
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const install = useInstallPrompt();
  const ui = useUi();

  useEffect(() => {
    store.api
      .listSessions()
      .then(setSessions)
      .catch((e: unknown) => setError(describeError(e, t)));
  }, [store, t]);

  async function revoke(id: string) {
    try {
      await store.api.revokeSession(id);
      setSessions((s) => s?.filter((x) => x.id !== id) ?? null);
    } catch (e) {
      setError(describeError(e, t));
    }
  }

  return (
    <Dialog title={t('settings.title')} onClose={onClose} className="wide">
      <p className="muted">{t('settings.profile', { name: `${userLabel(me)} (@${me.username})` })}</p>
      <div className="settings-grid">
        <LanguageSelect showLabel />
        <fieldset className="theme-choice">
          <legend>{t('settings.theme')}</legend>
          {(['system', 'light', 'dark'] as ThemePref[]).map((p) => (
            <label key={p} className="radio">
              <input type="radio" name="theme" value={p} checked={pref === p} onChange={() => setThemePref(p)} />
              {t(`settings.theme.${p}`)}
            </label>
          ))}
        </fieldset>
        {install && (
          <button type="button" className="button" onClick={install}>
            {t('settings.install')}
          </button>
        )}
        <button type="button" className="button" data-testid="open-shortcuts" onClick={() => ui.openDialog('shortcuts')}>
          {t('shortcuts.open')}
        </button>
      </div>
      <ProfileSection />
      <NotificationsSection />
      <h3>{t('settings.sessions')}</h3>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul className="sessions-list" data-testid="sessions-list" aria-busy={sessions === null}>
        {sessions === null && <li className="muted">{t('settings.sessionsLoading')}</li>}
        {sessions?.map((s) => (
          <li key={s.id} className="session-row" data-session-id={s.id} data-current={s.current ? 'true' : 'false'}>
            <div>
              <strong>{s.device_name || s.user_agent || s.id}</strong>
              {s.current && <span className="tag">{t('settings.thisDevice')}</span>}
              <div className="muted small">
                {s.ip} · {t('settings.lastUsed', { time: relativeTime(s.last_used_at) })}
              </div>
            </div>
            {!s.current && (
              <button type="button" className="button small danger" data-testid="session-revoke" onClick={() => void revoke(s.id)}>
                {t('settings.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <TwoFactorSection />
      {(me.role === 'owner' || me.role === 'admin') && (
        <p>
          <button
            type="button"
            className="button"
            data-testid="settings-admin-open"
            onClick={() => {
              onClose();
              navigate(ADMIN_PATH);
            }}
          >
            {t('admin.open')}
          </button>
        </p>
      )}
      {(me.role === 'owner' || me.role === 'admin') && <WorkspaceSecuritySection />}
      {(me.role === 'owner' || me.role === 'admin') && <InvitesSection />}
      {(me.role === 'owner' || me.role === 'admin') && <LockoutsSection />}
      {(me.role === 'owner' || me.role === 'admin') && <AuditSection />}
      <TokensSection />
      {/* Custom slash commands are the workspace's: its owners and admins manage them. */}
      {(me.role === 'owner' || me.role === 'admin') && <SlashCommandsSection />}
      <div className="settings-footer">
        <button type="button" className="button danger" data-testid="logout" onClick={() => void store.logout()}>
          {t('settings.logout')}
        </button>
      </div>
    </Dialog>
  );
}
