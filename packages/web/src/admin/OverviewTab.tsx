import { useEffect, useState } from 'react';
import type { ClusterStats } from '@parley/protocol';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { fullTime } from '../messages/format';
import type { AdminApi } from './admin-api';
import { useAdminT } from './strings';

const REFRESH_MS = 5_000;

/** The cluster's live figures (`GET /admin/stats`), read again every 5 seconds while shown. */
export function OverviewTab({ api }: { api: AdminApi }) {
  const t = useAdminT();
  const tc = useT();
  const [stats, setStats] = useState<ClusterStats | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      api.stats().then(
        (s) => {
          if (!live) return;
          setStats(s);
          setError(null);
        },
        (e: unknown) => live && setError(describeError(e, tc)),
      );
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, tc]);

  if (!stats)
    return error ? (
      <p className="error" role="alert">
        {error}
      </p>
    ) : (
      <p className="muted">{t('loading')}</p>
    );
  const figures: [string, string, number | string][] = [
    ['sockets', t('overview.sockets'), stats.totals.sockets],
    ['users', t('overview.users'), stats.totals.users],
    ['messages', t('overview.messages'), stats.totals.messages_last_minute],
    ['nodes', t('overview.nodes'), `${stats.totals.healthy_nodes}/${stats.totals.nodes}`],
  ];
  return (
    <div data-testid="admin-overview">
      <dl className="admin-figures">
        {figures.map(([key, label, value]) => (
          <div key={key} className="admin-figure" data-testid={`admin-figure-${key}`}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="muted small" aria-live="off">
        {t('overview.refreshed', { time: fullTime(stats.at) })}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="admin-table" data-testid="admin-nodes">
        <caption>{t('overview.nodeList')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('overview.node')}</th>
            <th scope="col">{t('overview.state')}</th>
            <th scope="col">{t('overview.sockets')}</th>
            <th scope="col">{t('overview.users')}</th>
            <th scope="col">{t('overview.messages')}</th>
            <th scope="col">{t('overview.upSince')}</th>
            <th scope="col">{t('overview.heartbeat')}</th>
          </tr>
        </thead>
        <tbody>
          {stats.nodes.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                {t('overview.noNodes')}
              </td>
            </tr>
          )}
          {stats.nodes.map((n) => (
            <tr key={n.name} data-testid="admin-node" data-node={n.name} data-healthy={n.healthy}>
              <th scope="row">{n.name}</th>
              <td>
                <span className={`admin-badge ${n.healthy ? 'ok' : 'stale'}`}>{n.healthy ? t('overview.healthy') : t('overview.stale')}</span>
              </td>
              <td data-testid="admin-node-sockets">{n.sockets}</td>
              <td>{n.users}</td>
              <td>{n.messages_last_minute}</td>
              <td>{fullTime(n.started_at)}</td>
              <td>{fullTime(n.last_heartbeat_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
