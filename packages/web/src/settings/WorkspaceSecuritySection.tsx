import { useEffect, useState } from 'react';
import type { WorkspaceSettings } from '@parley/protocol';
import { useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { useAction } from '../ui/useAction';

/** Owners and admins: workspace-wide rules for sign-in and for credentials in messages (`PATCH /admin/settings`, `parley admin settings`). */
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

  /** Shown at once (a controlled input would otherwise jump back until the server answers), then as the server has it; put back on failure. */
  function change(patch: Partial<WorkspaceSettings>) {
    if (!settings) return;
    const before = settings;
    setSettings({ ...settings, ...patch });
    void act(async () => {
      try {
        setSettings(await store.workspaceSettings(patch));
      } catch (e) {
        setSettings(before);
        throw e;
      }
    });
  }

  return (
    <section className="settings-section" data-testid="workspace-security" aria-labelledby="workspace-security-title">
      <h3 id="workspace-security-title">{t('workspace.title')}</h3>
      <label className="checkbox">
        <input type="checkbox" data-testid="require-2fa" disabled={busy || settings === null} checked={settings?.require_2fa ?? false} onChange={(e) => change({ require_2fa: e.target.checked })} />
        <span>{t('workspace.require2fa')}</span>
      </label>
      <p className="small muted">{t('workspace.require2faHint')}</p>
      <label className="field">
        <span>{t('workspace.secretPolicy')}</span>
        <select
          className="input"
          data-testid="secret-policy"
          disabled={busy || settings === null}
          value={settings?.secret_policy ?? 'mask'}
          onChange={(e) => change({ secret_policy: e.target.value as WorkspaceSettings['secret_policy'] })}
        >
          {(['mask', 'block', 'warn'] as const).map((p) => (
            <option key={p} value={p}>
              {t(`workspace.secretPolicy.${p}`)}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
