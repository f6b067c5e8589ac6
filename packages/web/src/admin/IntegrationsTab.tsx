import { useEffect, useId, useState } from 'react';
import type { AdminIntegration, AdminIntegrationType } from '@parley/protocol';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { fullTime } from '../messages/format';
import { InlineConfirm } from '../ui/InlineConfirm';
import { useAction } from '../ui/useAction';
import type { AdminApi } from './admin-api';
import { useAdminT } from './strings';

const TYPES: readonly AdminIntegrationType[] = ['incoming_webhook', 'outgoing_webhook', 'slash_command', 'bot'];

/**
 * Everything that posts into or reads from the workspace without being a person: incoming and
 * outgoing webhooks (with their conversation), custom slash commands and bots, who made each and
 * when it last acted, failing deliveries, and Remove where the admin may (a private conversation's
 * hooks are its members' to manage). Secrets are never shown here; they are shown once, when made.
 */
export function IntegrationsTab({ api }: { api: AdminApi }) {
  const t = useAdminT();
  const tc = useT();
  const id = useId();
  const [all, setAll] = useState<AdminIntegration[] | null>(null);
  const [type, setType] = useState<AdminIntegrationType | ''>('');
  const [confirm, setConfirm] = useState<string | null>(null);
  const { busy, error, setError, act } = useAction();

  useEffect(() => {
    let live = true;
    api.integrations().then(
      (list) => live && setAll(list),
      (e: unknown) => live && setError(describeError(e, tc)),
    );
    return () => {
      live = false;
    };
  }, [api, setError, tc]);

  const remove = (i: AdminIntegration) =>
    void act(async () => {
      await api.removeIntegration(i);
      setAll((list) => list?.filter((x) => x.id !== i.id) ?? null);
      setConfirm(null);
    });

  const shown = all?.filter((i) => type === '' || i.type === type) ?? null;
  const where = (i: AdminIntegration) => {
    const c = i.conversation;
    if (!c) return t('integrations.workspace');
    const name = c.kind === 'channel' ? `#${c.name ?? ''}` : (c.name ?? t('integrations.group'));
    return c.visibility === 'private' && c.kind === 'channel' ? `${name} (${t('channels.private')})` : name;
  };

  return (
    <div data-testid="admin-integrations">
      <label className="admin-search" htmlFor={`${id}-type`}>
        <span>{t('integrations.filter')}</span>
        <select id={`${id}-type`} value={type} data-testid="admin-integration-type" onChange={(e) => setType(e.target.value as AdminIntegrationType | '')}>
          <option value="">{t('integrations.all')}</option>
          {TYPES.map((k) => (
            <option key={k} value={k}>
              {t(`integrations.type.${k}`)}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {shown === null ? (
        !error && <p className="muted">{t('loading')}</p>
      ) : shown.length === 0 ? (
        <p className="muted">{t('integrations.none')}</p>
      ) : (
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">{t('integrations.name')}</th>
              <th scope="col">{t('integrations.kind')}</th>
              <th scope="col">{t('integrations.where')}</th>
              <th scope="col">{t('integrations.detail')}</th>
              <th scope="col">{t('integrations.madeBy')}</th>
              <th scope="col">{t('integrations.lastUsed')}</th>
              <th scope="col">{t('channels.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((i) => (
              <tr key={i.id} data-testid="admin-integration" data-type={i.type} data-name={i.name}>
                <th scope="row">
                  {i.name}
                  {i.dead_deliveries > 0 && <span className="admin-badge stale">{t('integrations.failing', { n: i.dead_deliveries })}</span>}
                </th>
                <td>{t(`integrations.type.${i.type}`)}</td>
                <td>
                  {where(i)}
                  {i.conversation?.archived && <span className="admin-badge stale">{t('channels.archived')}</span>}
                </td>
                <td className="admin-detail">{i.detail}</td>
                <td>{i.created_by ? `@${i.created_by.username}` : '—'}</td>
                <td>{i.last_used_at ? fullTime(i.last_used_at) : t('never')}</td>
                <td>
                  {!i.can_remove ? (
                    <span className="muted small">{t('integrations.notYours')}</span>
                  ) : confirm === i.id ? (
                    <InlineConfirm
                      question={t('integrations.removeQuestion', { name: i.name })}
                      action={t('integrations.remove')}
                      busy={busy}
                      testId="admin-integration-remove-confirm"
                      onCancel={() => setConfirm(null)}
                      onConfirm={() => remove(i)}
                    />
                  ) : (
                    <button
                      type="button"
                      className="button small danger"
                      disabled={busy}
                      data-testid="admin-integration-remove"
                      aria-label={t('integrations.removeLabel', { name: i.name })}
                      onClick={() => setConfirm(i.id)}
                    >
                      {t('integrations.remove')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
