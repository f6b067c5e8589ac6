import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Conversation, CreatedOutgoingWebhook, OutgoingWebhook } from '@parley/protocol';
import { useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { useAction } from '../ui/useAction';
import { CopyButton, ShownOnce } from '../ui/ShownOnce';
import { DialogError } from '../ui/Dialog';
import { OutgoingWebhookForm } from './OutgoingWebhookForm';
import { OutgoingDeliveries } from './OutgoingDeliveries';
import { describeSends } from './outgoing-sends';
import { InlineConfirm } from '../ui/InlineConfirm';

/**
 * The conversation's outgoing webhooks: create one (its signing secret shown once), see its
 * deliveries and send one again, give it a new secret, revoke it.
 */
export function OutgoingWebhooks({ conv }: { conv: Conversation }) {
  const t = useT();
  const store = useStore();
  const [hooks, setHooks] = useState<OutgoingWebhook[] | null>(null);
  const [shown, setShown] = useState<{ hook: CreatedOutgoingWebhook; rotated: boolean } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [viewing, setViewing] = useState<OutgoingWebhook | null>(null);
  // Back from a hook's deliveries, the focus returns to its Deliveries button.
  const [returnTo, setReturnTo] = useState<string | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const { busy, error, setError, act } = useAction();

  useEffect(() => {
    let live = true;
    store.api.listOutgoingWebhooks(conv.id).then(
      (list) => live && setHooks(list),
      (e: unknown) => live && setError(describeError(e, t)),
    );
    return () => {
      live = false;
    };
  }, [store, conv.id, t]);

  useLayoutEffect(() => {
    if (viewing || !returnTo) return;
    listRef.current?.querySelector<HTMLElement>(`[data-hook-id="${returnTo}"] [data-testid="outgoing-deliveries"]`)?.focus();
    setReturnTo(null);
  }, [viewing, returnTo]);

  const refresh = async () => setHooks(await store.api.listOutgoingWebhooks(conv.id));

  function revoke(id: string) {
    void act(async () => {
      await store.api.revokeOutgoingWebhook(id);
      setConfirming(null);
      if (shown?.hook.id === id) setShown(null);
      await refresh();
    });
  }

  const secret = shown && (
    <ShownOnce title={t(shown.rotated ? 'outgoing.newSecretOnce' : 'outgoing.secretOnce', { name: shown.hook.name })} value={shown.hook.secret} label={t('outgoing.secret')} testId="outgoing-secret">
      {shown.hook.format === 'slack' && (
        <div className="field secret-field">
          <span aria-hidden="true">{t('outgoing.token')}</span>
          <div className="secret-line">
            <input className="input" readOnly value={shown.hook.token} data-testid="outgoing-token" aria-label={t('outgoing.token')} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton value={shown.hook.token} />
          </div>
        </div>
      )}
      <p className="hint">{t('outgoing.verifyHint')}</p>
    </ShownOnce>
  );

  if (viewing) {
    return (
      <>
        {secret}
        <OutgoingDeliveries
          hook={viewing}
          onBack={() => {
            setReturnTo(viewing.id);
            setViewing(null);
          }}
        />
      </>
    );
  }

  return (
    <>
      <p className="muted">{t('outgoing.intro')}</p>
      {secret}
      {hooks === null && !error ? (
        <p className="muted">{t('webhooks.loading')}</p>
      ) : hooks && hooks.length === 0 ? (
        <p className="muted" data-testid="outgoing-empty">
          {t('outgoing.none')}
        </p>
      ) : (
        <ul className="webhook-list" data-testid="outgoing-list" ref={listRef}>
          {(hooks ?? []).map((h) => (
            <li key={h.id} className="webhook-row" data-testid="outgoing-row" data-hook-id={h.id}>
              <div className="webhook-name">
                <strong>{h.name}</strong>
                <span className="tag">{t(`outgoing.format.${h.format}`)}</span>
                <div className="muted small ellipsis" title={h.url} data-testid="outgoing-url-shown">
                  {h.url}
                </div>
                <div className="muted small">{describeSends(h, t)}</div>
              </div>
              {confirming === h.id ? (
                <InlineConfirm
                  question={t('outgoing.confirmRevoke')}
                  action={t('webhooks.revoke')}
                  busy={busy}
                  testId="outgoing-revoke-confirm"
                  onConfirm={() => revoke(h.id)}
                  onCancel={() => setConfirming(null)}
                />
              ) : (
                <>
                  <button type="button" className="button" data-testid="outgoing-deliveries" onClick={() => setViewing(h)}>
                    {t('outgoing.deliveries')}
                  </button>
                  <button
                    type="button"
                    className="button"
                    disabled={busy}
                    data-testid="outgoing-rotate"
                    onClick={() => void act(async () => setShown({ hook: await store.api.rotateOutgoingWebhook(h.id), rotated: true }))}
                  >
                    {t('outgoing.rotate')}
                  </button>
                  <button type="button" className="button danger" disabled={busy} data-testid="outgoing-revoke" onClick={() => setConfirming(h.id)}>
                    {t('webhooks.revoke')}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <DialogError error={error} />
      <OutgoingWebhookForm
        convId={conv.id}
        onCreated={async (hook) => {
          setShown({ hook, rotated: false });
          await refresh();
        }}
      />
    </>
  );
}
