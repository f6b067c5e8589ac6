import { useEffect, useState, type FormEvent } from 'react';
import type { Conversation, CreatedIncomingWebhook, IncomingWebhook, WebhookKind } from '@parley/protocol';
import { useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { useAction } from '../ui/useAction';
import { ShownOnce } from '../ui/ShownOnce';
import { DialogError } from '../ui/Dialog';
import { InlineConfirm } from '../ui/InlineConfirm';

/** The conversation's incoming webhooks: create one (its URL shown once), give one a new URL, revoke one. */
export function IncomingWebhooks({ conv }: { conv: Conversation }) {
  const t = useT();
  const store = useStore();
  const [hooks, setHooks] = useState<IncomingWebhook[] | null>(null);
  const [label, setLabel] = useState('');
  const [kind, setKind] = useState<WebhookKind>('slack');
  const [clientSecret, setClientSecret] = useState('');
  const [basicUser, setBasicUser] = useState('');
  const [basicPassword, setBasicPassword] = useState('');
  const [shown, setShown] = useState<CreatedIncomingWebhook | null>(null);
  const { busy, error, setError, act } = useAction();
  const [confirming, setConfirming] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    store.api.listWebhooks(conv.id).then(
      (list) => live && setHooks(list),
      (e: unknown) => live && setError(describeError(e, t)),
    );
    return () => {
      live = false;
    };
  }, [store, conv.id, t]);

  const refresh = async () => setHooks(await store.api.listWebhooks(conv.id));

  function create(e: FormEvent) {
    e.preventDefault();
    const clean = label.trim();
    if (!clean) return;
    const extra = {
      ...(kind === 'sentry' ? { signing_secret: clientSecret.trim() } : {}),
      ...((kind === 'alertmanager' || kind === 'grafana') && basicUser.trim() ? { basic_auth: { username: basicUser.trim(), password: basicPassword } } : {}),
    };
    void act(async () => {
      setShown(await store.api.createWebhook(conv.id, clean, kind, extra));
      setLabel('');
      setKind('slack');
      setClientSecret('');
      setBasicUser('');
      setBasicPassword('');
      await refresh();
    });
  }

  function revoke(id: string) {
    void act(async () => {
      await store.api.revokeWebhook(id);
      setConfirming(null);
      if (shown?.id === id) setShown(null);
      await refresh();
    });
  }

  return (
    <>
      <p className="muted">{t('webhooks.intro')}</p>
      {shown && (
        <ShownOnce title={t('webhooks.urlOnce', { name: shown.name })} value={shown.url} label={t('webhooks.url')} testId="webhook-url">
          <SetupHint hook={shown} />
        </ShownOnce>
      )}
      {hooks === null && !error ? (
        <p className="muted">{t('webhooks.loading')}</p>
      ) : hooks && hooks.length === 0 ? (
        <p className="muted" data-testid="webhooks-empty">
          {t('webhooks.none')}
        </p>
      ) : (
        <ul className="webhook-list" data-testid="webhook-list">
          {(hooks ?? []).map((h) => (
            <li key={h.id} className="webhook-row" data-testid="webhook-row">
              <div className="webhook-name">
                <strong>{h.name}</strong>
                {h.kind !== 'slack' && <span className="tag">{t(`webhooks.kind.${h.kind}`)}</span>}
                {h.basic_auth_user && <div className="muted small">{t('webhooks.basicShown', { user: h.basic_auth_user })}</div>}
                <div className="muted small">{h.last_used_at ? t('webhooks.lastUsed', { when: new Date(h.last_used_at).toLocaleString() }) : t('webhooks.neverUsed')}</div>
              </div>
              {confirming === h.id ? (
                <InlineConfirm
                  question={t('webhooks.confirmRevoke')}
                  action={t('webhooks.revoke')}
                  busy={busy}
                  testId="webhook-revoke-confirm"
                  onConfirm={() => revoke(h.id)}
                  onCancel={() => setConfirming(null)}
                />
              ) : (
                <>
                  <button type="button" className="button" disabled={busy} data-testid="webhook-rotate" onClick={() => void act(async () => setShown(await store.api.rotateWebhook(h.id)))}>
                    {t('webhooks.rotate')}
                  </button>
                  <button type="button" className="button danger" disabled={busy} data-testid="webhook-revoke" onClick={() => setConfirming(h.id)}>
                    {t('webhooks.revoke')}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <form className="webhook-form" onSubmit={create}>
        <label className="field">
          <span>{t('webhooks.name')}</span>
          <input className="input" data-testid="webhook-name" data-autofocus="" maxLength={64} value={label} onChange={(e) => setLabel(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('webhooks.kind')}</span>
          <select className="input" data-testid="webhook-kind" value={kind} onChange={(e) => setKind(e.target.value as WebhookKind)}>
            <option value="slack">{t('webhooks.kind.slack')}</option>
            {RECEIVER_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`webhooks.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        {kind === 'sentry' && (
          <label className="field">
            <span>{t('webhooks.sentry.secret')}</span>
            <input className="input" data-testid="webhook-client-secret" autoComplete="off" maxLength={256} value={clientSecret} onChange={(e) => setClientSecret(e.target.value)} />
          </label>
        )}
        {(kind === 'alertmanager' || kind === 'grafana') && (
          <>
            <label className="field">
              <span>{t('webhooks.basicUser')}</span>
              <input className="input" data-testid="webhook-basic-user" autoComplete="off" maxLength={128} value={basicUser} onChange={(e) => setBasicUser(e.target.value)} />
            </label>
            {basicUser.trim() !== '' && (
              <label className="field">
                <span>{t('webhooks.basicPassword')}</span>
                <input
                  className="input"
                  type="password"
                  data-testid="webhook-basic-password"
                  autoComplete="new-password"
                  maxLength={256}
                  value={basicPassword}
                  onChange={(e) => setBasicPassword(e.target.value)}
                />
              </label>
            )}
          </>
        )}
        <button
          type="submit"
          className="button primary"
          data-testid="webhook-create"
          disabled={busy || !label.trim() || (kind === 'sentry' && clientSecret.trim().length < 16) || (basicUser.trim() !== '' && basicPassword.length < 12)}
        >
          {t('webhooks.create')}
        </button>
      </form>
      <DialogError error={error} />
    </>
  );
}

/** Every kind but Slack's, in the order the picker offers them. */
const RECEIVER_KINDS = ['github', 'gitlab', 'alertmanager', 'grafana', 'sentry', 'ci'] as const satisfies readonly WebhookKind[];

/** How to point the service at a hook just made (its URL and any secret are shown this once). */
function SetupHint({ hook }: { hook: CreatedIncomingWebhook }) {
  const t = useT();
  switch (hook.kind) {
    case 'github':
    case 'gitlab':
      return (
        <>
          <p className="small">{t(`webhooks.${hook.kind}.setup`)}</p>
          <ShownOnce title={t(`webhooks.${hook.kind}.secret`)} value={hook.signing_secret ?? ''} label={t(`webhooks.${hook.kind}.secret`)} testId="webhook-signing-secret" />
        </>
      );
    case 'alertmanager':
      return (
        <code className="small">
          {`receivers:\n- name: parley\n  webhook_configs:\n  - url: '${hook.url}'\n    send_resolved: true${hook.basic_auth_user ? `\n    http_config:\n      basic_auth:\n        username: ${hook.basic_auth_user}\n        password: <the password>` : ''}`}
        </code>
      );
    case 'grafana':
      return <p className="small">{t('webhooks.grafana.setup')}</p>;
    case 'sentry':
      return <p className="small">{t('webhooks.sentry.setup')}</p>;
    case 'ci':
      return (
        <>
          <p className="small">{t('webhooks.ci.setup')}</p>
          <code className="small">{`curl -X POST -H 'Content-type: application/json' --data '{"status":"failed","name":"build","url":"$BUILD_URL","ref":"$BRANCH","commit":"$COMMIT"}' '${hook.url}'`}</code>
        </>
      );
    default:
      return <code className="small">{`curl -X POST -H 'Content-type: application/json' --data '{"text":"Hello"}' '${hook.url}'`}</code>;
  }
}
