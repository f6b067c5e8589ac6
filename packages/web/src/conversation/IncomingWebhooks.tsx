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
  const [shown, setShown] = useState<CreatedIncomingWebhook | null>(null);
  const { busy, error, setError, act } = useAction();
  const [confirming, setConfirming] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    store.listWebhooks(conv.id).then(
      (list) => live && setHooks(list),
      (e: unknown) => live && setError(describeError(e, t)),
    );
    return () => {
      live = false;
    };
  }, [store, conv.id, t]);

  const refresh = async () => setHooks(await store.listWebhooks(conv.id));

  function create(e: FormEvent) {
    e.preventDefault();
    const clean = label.trim();
    if (!clean) return;
    void act(async () => {
      setShown(await store.createWebhook(conv.id, clean, kind));
      setLabel('');
      setKind('slack');
      await refresh();
    });
  }

  function revoke(id: string) {
    void act(async () => {
      await store.revokeWebhook(id);
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
          {shown.kind === 'github' ? (
            <>
              <p className="small">{t('webhooks.github.setup')}</p>
              <ShownOnce title={t('webhooks.github.secret')} value={shown.signing_secret ?? ''} label={t('webhooks.github.secret')} testId="webhook-signing-secret" />
            </>
          ) : shown.kind === 'alertmanager' ? (
            <code className="small">{`receivers:\n- name: parley\n  webhook_configs:\n  - url: '${shown.url}'\n    send_resolved: true`}</code>
          ) : (
            <code className="small">{`curl -X POST -H 'Content-type: application/json' --data '{"text":"Hello"}' '${shown.url}'`}</code>
          )}
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
                  <button type="button" className="button" disabled={busy} data-testid="webhook-rotate" onClick={() => void act(async () => setShown(await store.rotateWebhook(h.id)))}>
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
            <option value="alertmanager">{t('webhooks.kind.alertmanager')}</option>
            <option value="github">{t('webhooks.kind.github')}</option>
          </select>
        </label>
        <button type="submit" className="button primary" data-testid="webhook-create" disabled={busy || !label.trim()}>
          {t('webhooks.create')}
        </button>
      </form>
      <DialogError error={error} />
    </>
  );
}
