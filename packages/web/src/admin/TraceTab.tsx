import { useEffect, useId, useState, type FormEvent } from 'react';
import type { MessageTrace, TraceDevice } from '@parley/protocol';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { fullTime } from '../messages/format';
import type { AdminApi } from './admin-api';
import { useAdminT, type AdminT } from './strings';
import { messageIdFrom } from './trace-id';

/** "+12 ms" after `from`, or nothing when either time is missing. */
function after(at: string | null, from: string): string {
  if (!at) return '';
  return ` (+${Math.max(0, Date.parse(at) - Date.parse(from))} ms)`;
}

/**
 * "Where did my message go" (`GET /admin/messages/{id}/trace`): the stages on the server, then each
 * recipient device, delivered and read or why not yet. Opened from a message's menu, or with an id
 * or a message link pasted here. A trace never carries the message's text.
 */
export function TraceTab({ api, initial }: { api: AdminApi; initial: string | null }) {
  const t = useAdminT();
  const tc = useT();
  const inputId = useId();
  const [text, setText] = useState(initial ?? '');
  const [trace, setTrace] = useState<MessageTrace | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const look = (value: string) => {
    const id = messageIdFrom(value);
    if (!id) {
      setError(t('trace.badId'));
      setTrace(null);
      return;
    }
    setBusy(true);
    setError(null);
    api.trace(id).then(
      (tr) => {
        setTrace(tr);
        setBusy(false);
      },
      (e: unknown) => {
        setTrace(null);
        setError(describeError(e, tc));
        setBusy(false);
      },
    );
  };

  useEffect(() => {
    if (initial) look(initial);
    // Once, for the message the console was opened for.
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    look(text);
  };

  return (
    <div data-testid="admin-trace">
      <form className="admin-search" onSubmit={submit}>
        <label htmlFor={inputId}>{t('trace.label')}</label>
        <input id={inputId} data-testid="trace-input" value={text} onChange={(e) => setText(e.target.value)} placeholder={t('trace.placeholder')} />
        <button type="submit" className="button" data-testid="trace-submit" disabled={busy}>
          {t('trace.look')}
        </button>
      </form>
      {error && (
        <p className="error" role="alert" data-testid="trace-error">
          {error}
        </p>
      )}
      {trace && <TraceResult trace={trace} t={t} />}
    </div>
  );
}

function TraceResult({ trace, t }: { trace: MessageTrace; t: AdminT }) {
  const stages: [string, string, string][] = [
    ['accepted', t('trace.accepted'), `${fullTime(trace.accepted_at)} · ${t('trace.byNode', { node: trace.node })}`],
    ['written', t('trace.written'), `${fullTime(trace.written_at)}${after(trace.written_at, trace.accepted_at)} · ${t('trace.batch', { n: trace.batch_size })}`],
    ['committed', t('trace.committed'), trace.committed_at ? `${fullTime(trace.committed_at)}${after(trace.committed_at, trace.accepted_at)}` : t('trace.notRecorded')],
    ['published', t('trace.published'), trace.published_at ? `${fullTime(trace.published_at)}${after(trace.published_at, trace.accepted_at)}` : t('trace.notRecorded')],
  ];
  return (
    <div data-testid="trace-result" data-state={trace.message_state}>
      <p className="muted small">{t('trace.summary', { seq: trace.seq, state: t(`trace.state.${trace.message_state}`) })}</p>
      <dl className="admin-trace-stages">
        {stages.map(([key, label, value]) => (
          <div key={key} data-testid={`trace-stage-${key}`}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <table className="admin-table" data-testid="trace-devices">
        <caption>{t('trace.recipients', { n: trace.recipients_total })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('trace.recipient')}</th>
            <th scope="col">{t('trace.device')}</th>
            <th scope="col">{t('trace.status')}</th>
            <th scope="col">{t('trace.when')}</th>
          </tr>
        </thead>
        <tbody>
          {trace.recipients.flatMap((r) =>
            (r.devices.length > 0 ? r.devices : [null]).map((d, i) => (
              <tr key={`${r.user_id}-${d?.session_id ?? 'none'}`} data-testid="trace-device" data-user={r.username} data-status={d?.status ?? 'none'}>
                {i === 0 ? <th scope="row">@{r.username}</th> : <td />}
                <td>{d ? (d.device_name ?? t('trace.apiToken')) : t('trace.noDevice')}</td>
                <td>{d ? t(`trace.status.${d.status}`) : ''}</td>
                <td>{d ? deviceWhen(d, trace, t) : ''}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </div>
  );
}

function deviceWhen(d: TraceDevice, trace: MessageTrace, t: AdminT): string {
  const parts: string[] = [];
  if (d.delivered_at)
    parts.push(`${t('trace.deliveredAt', { time: fullTime(d.delivered_at) })}${after(d.delivered_at, trace.accepted_at)}${d.delivered_node ? ` · ${t('trace.via', { node: d.delivered_node })}` : ''}`);
  if (d.read_at) parts.push(t('trace.readAt', { time: fullTime(d.read_at) }));
  if (!d.delivered_at && d.reason) parts.push(d.reason);
  return parts.join(' · ');
}
