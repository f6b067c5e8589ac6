import { useId, useState } from 'react';
import type { AdminChannel } from '@parley/protocol';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { fullTime } from '../messages/format';
import { useAction } from '../ui/useAction';
import type { AdminApi } from './admin-api';
import { useAdminT } from './strings';
import { useSearchBox } from '../ui/useSearchBox';

/**
 * Every channel, private ones too (name and head count, never their messages), by name, a page at
 * a time; archive and unarchive where the admin may (`PATCH /conversations/{id}`: public channels
 * and the private ones they belong to).
 */
export function ChannelsTab({ api }: { api: AdminApi }) {
  const t = useAdminT();
  const tc = useT();
  const id = useId();
  const [query, setQuery] = useState('');
  const [channels, setChannels] = useState<AdminChannel[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const { busy, error, setError, act } = useAction();

  useSearchBox(
    query,
    (q) => api.channels(q, 0),
    (page) => {
      setChannels(page.channels);
      setNext(page.next_offset);
      setError(null);
    },
    (e) => setError(describeError(e, tc)),
  );

  const more = () =>
    void act(async () => {
      if (next === null) return;
      const page = await api.channels(query.trim(), next);
      setChannels((list) => [...(list ?? []), ...page.channels]);
      setNext(page.next_offset);
    });

  const toggle = (c: AdminChannel) =>
    void act(async () => {
      await api.setArchived(c.id, !c.archived);
      setChannels((list) => list?.map((x) => (x.id === c.id ? { ...x, archived: !c.archived } : x)) ?? null);
    });

  return (
    <div data-testid="admin-channels">
      <label className="admin-search" htmlFor={`${id}-q`}>
        <span>{t('channels.search')}</span>
        <input id={`${id}-q`} type="search" value={query} placeholder={t('channels.searchPlaceholder')} data-testid="admin-channel-search" onChange={(e) => setQuery(e.target.value)} />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {channels === null ? (
        <p className="muted">{t('loading')}</p>
      ) : channels.length === 0 ? (
        <p className="muted">{t('channels.none')}</p>
      ) : (
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">{t('channels.name')}</th>
              <th scope="col">{t('channels.visibility')}</th>
              <th scope="col">{t('channels.members')}</th>
              <th scope="col">{t('channels.owners')}</th>
              <th scope="col">{t('channels.lastActivity')}</th>
              <th scope="col">{t('channels.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {channels.map((c) => (
              <tr key={c.id} data-testid="admin-channel" data-channel={c.name} data-archived={c.archived}>
                <th scope="row">
                  #{c.name}
                  {c.archived && <span className="admin-badge stale">{t('channels.archived')}</span>}
                </th>
                <td>{c.visibility === 'private' ? t('channels.private') : t('channels.public')}</td>
                <td>{c.member_count}</td>
                <td>{c.owners.map((o) => `@${o.username}`).join(', ') || '—'}</td>
                <td>{c.last_activity_at ? fullTime(c.last_activity_at) : t('never')}</td>
                <td>
                  {c.can_archive ? (
                    <button
                      type="button"
                      className="button small"
                      disabled={busy}
                      data-testid="admin-channel-archive"
                      aria-label={c.archived ? t('channels.unarchiveLabel', { name: c.name }) : t('channels.archiveLabel', { name: c.name })}
                      onClick={() => toggle(c)}
                    >
                      {c.archived ? t('channels.unarchive') : t('channels.archive')}
                    </button>
                  ) : (
                    <span className="muted small">{t('channels.notYours')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== null && (
        <button type="button" className="button" disabled={busy} data-testid="admin-channels-more" onClick={more}>
          {t('channels.more')}
        </button>
      )}
    </div>
  );
}
