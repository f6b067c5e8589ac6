import { useEffect, useState } from 'react';
import type { WorkspaceSettings } from '@parley/protocol';
import { useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { useAction } from '../ui/useAction';
import { RetentionSelect } from './RetentionSelect';

/**
 * Owners and admins: workspace-wide rules for sign-in, credentials in messages, the edit and
 * recall windows, sign-up and the message and upload size limits (`PATCH /admin/settings`,
 * `parley admin settings`): live on every server.
 */
export function WorkspaceSecuritySection() {
  const t = useT();
  const store = useStore();
  const [settings, setSettings] = useState<WorkspaceSettings | null>(null);
  const { busy, error, setError, act } = useAction(describeError);

  useEffect(() => {
    store.api
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
        setSettings(await store.api.workspaceSettings(patch));
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
      <h4>{t('workspace.messages')}</h4>
      <WindowSelect testId="edit-window" label={t('workspace.editWindow')} value={settings?.edit_window_ms} disabled={busy || settings === null} onChange={(v) => change({ edit_window_ms: v })} />
      <WindowSelect
        testId="recall-window"
        label={t('workspace.recallWindow')}
        value={settings?.recall_window_ms}
        disabled={busy || settings === null}
        onChange={(v) => change({ recall_window_ms: v })}
      />
      <p className="small muted">{t('workspace.recallHint')}</p>
      <RetentionSelect
        testId="retention"
        label={t('workspace.retention')}
        nullLabel={t('workspace.retention.forever')}
        hint={t('workspace.retention.hint')}
        value={settings?.retention_days}
        disabled={busy || settings === null}
        onChange={(v) => change({ retention_days: v })}
      />
      <h4>{t('workspace.limits')}</h4>
      <LimitField
        testId="max-message-chars"
        label={t('workspace.maxMessageChars')}
        value={settings?.max_message_chars}
        scale={1}
        disabled={busy || settings === null}
        onChange={(v) => change({ max_message_chars: v })}
      />
      <LimitField
        testId="max-upload-mb"
        label={t('workspace.maxUploadMb')}
        value={settings?.max_upload_bytes}
        scale={MIB}
        disabled={busy || settings === null}
        onChange={(v) => change({ max_upload_bytes: v })}
      />
      <p className="small muted">{t('workspace.limitsHint')}</p>
      <label className="field">
        <span>{t('workspace.registration')}</span>
        <select
          className="input"
          data-testid="registration"
          disabled={busy || settings === null}
          value={settings?.registration ?? 'open'}
          onChange={(e) => change({ registration: e.target.value as WorkspaceSettings['registration'] })}
        >
          {(['open', 'invite'] as const).map((r) => (
            <option key={r} value={r}>
              {t(`workspace.registration.${r}`)}
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

const MINUTE = 60_000;
/** The windows offered; a value set elsewhere (the CLI, the environment) is offered too. */
const WINDOWS: (number | null)[] = [0, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE, 60 * MINUTE, 24 * 60 * MINUTE, 7 * 24 * 60 * MINUTE, null];

function WindowSelect(props: { testId: string; label: string; value: number | null | undefined; disabled: boolean; onChange: (v: number | null) => void }) {
  const t = useT();
  const say = (ms: number | null): string => {
    if (ms === null) return t('workspace.window.unlimited');
    if (ms === 0) return t('workspace.window.never');
    if (ms % (24 * 60 * MINUTE) === 0) return t('workspace.window.days', { n: ms / (24 * 60 * MINUTE) });
    if (ms % (60 * MINUTE) === 0) return t('workspace.window.hours', { n: ms / (60 * MINUTE) });
    return t('workspace.window.minutes', { n: Math.round((ms / MINUTE) * 10) / 10 });
  };
  const options = props.value === undefined || WINDOWS.includes(props.value) ? WINDOWS : [...WINDOWS, props.value];
  // <select> values are strings: "unlimited" stands for null.
  const key = (v: number | null) => (v === null ? 'unlimited' : String(v));
  return (
    <label className="field">
      <span>{props.label}</span>
      <select
        className="input"
        data-testid={props.testId}
        disabled={props.disabled}
        value={props.value === undefined ? '' : key(props.value)}
        onChange={(e) => props.onChange(e.target.value === 'unlimited' ? null : Number(e.target.value))}
      >
        {options.map((v) => (
          <option key={key(v)} value={key(v)}>
            {say(v)}
          </option>
        ))}
      </select>
    </label>
  );
}

const MIB = 1024 * 1024;

/**
 * A number applied when the field is left or Enter is pressed, not on every key (each change is
 * audited and reaches every server). `scale`: the unit shown (MB for bytes); the server checks
 * the range and says what it accepts.
 */
function LimitField(props: { testId: string; label: string; value: number | undefined; scale: number; disabled: boolean; onChange: (v: number) => void }) {
  const shown = props.value === undefined ? '' : String(Math.round((props.value / props.scale) * 100) / 100);
  const [text, setText] = useState(shown);
  useEffect(() => setText(shown), [shown]);
  const commit = () => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n <= 0) return setText(shown);
    const v = Math.round(n * props.scale);
    if (v !== props.value) props.onChange(v);
  };
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        className="input"
        type="number"
        min={props.scale === 1 ? 1 : 0.01}
        step={props.scale === 1 ? 1 : 'any'}
        inputMode="decimal"
        data-testid={props.testId}
        disabled={props.disabled}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
    </label>
  );
}
