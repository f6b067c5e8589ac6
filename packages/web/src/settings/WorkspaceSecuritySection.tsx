import { useEffect, useState } from 'react';
import type { WorkspaceSettings } from '@parley/protocol';
import { useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { useAction } from '../ui/useAction';

/** Owners and admins: workspace-wide sign-in rules (`PATCH /admin/settings`, `parley admin settings`). */
export function WorkspaceSecuritySection() {
  const t = useT();
  const store = useStore();
  const [settings, setSettings] = useState<WorkspaceSettings | null>(null);
  const { busy, error, setError, act } = useAction(describeError);

  useEffect(() => {
    store
      .workspaceSettings()
      .then(setSettings)
      .catch((e: unknown) => setError(describeError(e, t)));
  }, [store]);

  return (
    <section className="settings-section" data-testid="workspace-security" aria-labelledby="workspace-security-title">
      <h3 id="workspace-security-title">{t('workspace.title')}</h3>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="require-2fa"
          disabled={busy || settings === null}
          checked={settings?.require_2fa ?? false}
          onChange={(e) => {
            const on = e.target.checked;
            void act(async () => setSettings(await store.workspaceSettings({ require_2fa: on })));
          }}
        />
        <span>{t('workspace.require2fa')}</span>
      </label>
      <p className="small muted">{t('workspace.require2faHint')}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
