import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { OutgoingWebhook, WebhookDelivery } from '@parley/protocol';
import { useStore } from '../chat/context';
import { useLanguage, useT } from '../i18n/i18n';
import { useAction } from '../ui/useAction';
import { DialogError } from '../ui/Dialog';
import { describeSends } from './outgoing-sends';

/**
 * One outgoing webhook's latest deliveries, newest first: what was sent, whether the receiver
 * took it, how fast, after how many attempts and why not. A delivered or dead one can be sent
 * again (the receiver sees the same delivery id); the list changes only on Refresh.
 */
export function OutgoingDeliveries({ hook, onBack }: { hook: OutgoingWebhook; onBack: () => void }) {
  const t = useT();
  const lang = useLanguage();
  const store = useStore();
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>(null);
  const { busy, error, act } = useAction();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const headingId = useId();

  const load = useCallback(async () => setDeliveries(await store.api.listDeliveries(hook.id)), [store, hook.id]);
  const redeliver = (id: string) =>
    void act(async () => {
      await store.api.redeliver(hook.id, id);
      await load();
    });

  useEffect(() => {
    // The button that opened this view is gone: the focus moves here, so Escape still closes the dialog.
    headingRef.current?.focus();
    void act(load);
  }, [load]);

  const when = (iso: string) => new Date(iso).toLocaleString(lang, { dateStyle: 'short', timeStyle: 'medium' });

  return (
    <section className="deliveries" aria-labelledby={headingId} data-testid="outgoing-deliveries-view">
      <div className="deliveries-head">
        <div className="webhook-name">
          <h3 id={headingId} ref={headingRef} tabIndex={-1}>
            {t('outgoing.deliveriesOf', { name: hook.name })}
          </h3>
          <div className="muted small ellipsis" title={hook.url}>
            {hook.url} · {describeSends(hook, t)}
          </div>
        </div>
        <button type="button" className="button" data-testid="deliveries-refresh" disabled={busy} onClick={() => void act(load)}>
          {t('outgoing.refresh')}
        </button>
        <button type="button" className="button" data-testid="deliveries-back" onClick={onBack}>
          {t('outgoing.back')}
        </button>
      </div>
      {deliveries === null && !error ? (
        <p className="muted">{t('webhooks.loading')}</p>
      ) : deliveries?.length === 0 ? (
        <p className="muted" data-testid="deliveries-empty">
          {t('outgoing.noDeliveries')}
        </p>
      ) : (
        deliveries && (
          <div className="table-scroll">
            <table className="deliveries-table" aria-busy={busy}>
              <thead>
                <tr>
                  <th scope="col">{t('outgoing.col.time')}</th>
                  <th scope="col">{t('outgoing.col.event')}</th>
                  <th scope="col">{t('outgoing.col.state')}</th>
                  <th scope="col" className="num">
                    {t('outgoing.col.status')}
                  </th>
                  <th scope="col" className="num">
                    {t('outgoing.col.latency')}
                  </th>
                  <th scope="col" className="num">
                    {t('outgoing.col.attempts')}
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">{t('outgoing.col.actions')}</span>
                  </th>
                </tr>
              </thead>
              {deliveries.map((d) => (
                <tbody key={d.id} className={`delivery state-${d.state}`} data-testid="delivery" data-delivery-id={d.id} data-state={d.state}>
                  <tr>
                    <td className="nowrap">
                      <time dateTime={d.created_at}>{when(d.created_at)}</time>
                    </td>
                    <td>
                      <code>{d.event_type}</code>
                    </td>
                    <td>
                      <span className="state-pill" data-testid="delivery-state">
                        {t(`outgoing.state.${d.state}`)}
                      </span>
                    </td>
                    <td className="num" data-testid="delivery-status">
                      {d.status_code ?? '—'}
                    </td>
                    <td className="num" data-testid="delivery-latency">
                      {d.latency_ms === null ? '—' : t('outgoing.latency', { ms: d.latency_ms })}
                    </td>
                    <td className="num" data-testid="delivery-attempts">
                      {d.attempts}
                    </td>
                    <td className="actions">
                      {d.state !== 'pending' && (
                        <button type="button" className="button small" disabled={busy} data-testid="delivery-redeliver" onClick={() => redeliver(d.id)}>
                          {t('outgoing.redeliver')}
                        </button>
                      )}
                    </td>
                  </tr>
                  {(d.error || d.next_attempt_at) && (
                    <tr className="delivery-detail">
                      <td colSpan={7} data-testid="delivery-error">
                        {d.error}
                        {d.error && d.next_attempt_at && ' · '}
                        {d.next_attempt_at && t('outgoing.nextAttempt', { when: when(d.next_attempt_at) })}
                      </td>
                    </tr>
                  )}
                </tbody>
              ))}
            </table>
          </div>
        )
      )}
      <DialogError error={error} />
    </section>
  );
}
