import { useEffect, useId, useState, type FormEvent } from 'react';
import type { AuditEntry, AuditFilters } from '@parley/protocol';
import { useStore } from '../chat/context';
import { useLanguage, useT } from '../i18n/i18n';
import { useAction } from '../ui/useAction';

const PAGE = 50;
const SINCE_MS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 604_800_000, '30d': 2_592_000_000 } as const;
type Since = keyof typeof SINCE_MS | 'all';
const SINCE_CHOICES: readonly Since[] = ['all', '1h', '24h', '7d', '30d'];

/**
 * Owners and admins: the audit log (`GET /admin/audit`, `parley admin audit`), newest first, as a
 * table of time, actor, action, target and address, filtered by actor, action and time, a page
 * at a time. Everyone else never sees this section (the server refuses them anyway).
 */
export function AuditSection() {
  const t = useT();
  const lang = useLanguage();
  const store = useStore();
  const id = useId();
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [since, setSince] = useState<Since>('all');
  // The filters the rows on screen answer; "Load more" pages with these, not with half-typed ones.
  const [applied, setApplied] = useState<AuditFilters>({});
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const { busy, error, act } = useAction();

  function load(filters: AuditFilters, shown: AuditEntry[] = []) {
    void act(async () => {
      const last = shown[shown.length - 1];
      const page = await store.api.auditLog({ ...filters, limit: PAGE, ...(last ? { before: last.id } : {}) });
      setApplied(filters);
      setEntries([...shown, ...page]);
      setMore(page.length === PAGE);
    });
  }

  // Fresh on opening: the log grows all the time.
  useEffect(() => load({}), [store]);

  function apply(e: FormEvent) {
    e.preventDefault();
    // "The last 24 hours" is fixed when asked, so later pages continue the same window.
    load({
      ...(actor.trim() ? { actor: actor.trim() } : {}),
      ...(action.trim() ? { action: action.trim() } : {}),
      ...(since !== 'all' ? { since: new Date(Date.now() - SINCE_MS[since]) } : {}),
    });
  }

  const when = (iso: string) => new Date(iso).toLocaleString(lang, { dateStyle: 'short', timeStyle: 'medium' });

  return (
    <section className="settings-section" aria-labelledby={`${id}-title`} data-testid="audit-section">
      <h3 id={`${id}-title`}>{t('audit.title')}</h3>
      <p className="muted small">{t('audit.intro')}</p>
      <form className="audit-filters" aria-labelledby={`${id}-title`} onSubmit={apply}>
        <div className="outgoing-fields">
          <div className="field">
            <label htmlFor={`${id}-actor`}>{t('audit.actor')}</label>
            <input
              id={`${id}-actor`}
              className="input"
              data-testid="audit-actor"
              maxLength={64}
              autoCapitalize="none"
              spellCheck={false}
              aria-describedby={`${id}-actor-hint`}
              value={actor}
              onChange={(e) => setActor(e.target.value)}
            />
            <span className="hint" id={`${id}-actor-hint`}>
              {t('audit.actorHint')}
            </span>
          </div>
          <div className="field">
            <label htmlFor={`${id}-action`}>{t('audit.action')}</label>
            <input
              id={`${id}-action`}
              className="input"
              data-testid="audit-action"
              maxLength={64}
              autoCapitalize="none"
              spellCheck={false}
              placeholder="auth."
              aria-describedby={`${id}-action-hint`}
              value={action}
              onChange={(e) => setAction(e.target.value)}
            />
            <span className="hint" id={`${id}-action-hint`}>
              {t('audit.actionHint')}
            </span>
          </div>
          <div className="field">
            <label htmlFor={`${id}-since`}>{t('audit.since')}</label>
            <select id={`${id}-since`} className="input" data-testid="audit-since" value={since} onChange={(e) => setSince(e.target.value as Since)}>
              {SINCE_CHOICES.map((s) => (
                <option key={s} value={s}>
                  {t(`audit.since.${s}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit" className="button" data-testid="audit-apply" disabled={busy}>
          {t('audit.apply')}
        </button>
      </form>
      {error && (
        <p className="error" role="alert" data-testid="audit-error">
          {error}
        </p>
      )}
      {entries === null && !error && <p className="muted">{t('audit.loading')}</p>}
      {entries?.length === 0 && (
        <p className="muted" data-testid="audit-empty">
          {t('audit.none')}
        </p>
      )}
      {entries && entries.length > 0 && (
        // Wider than a narrow dialog: the region scrolls, and keyboard users can focus it to scroll too.
        <div className="table-scroll" role="region" tabIndex={0} aria-labelledby={`${id}-title`}>
          <table className="deliveries-table" data-testid="audit-table" aria-busy={busy}>
            <caption className="visually-hidden">{t('audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.col.time')}</th>
                <th scope="col">{t('audit.col.actor')}</th>
                <th scope="col">{t('audit.col.action')}</th>
                <th scope="col">{t('audit.col.target')}</th>
                <th scope="col">{t('audit.col.ip')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action} data-actor={e.actor_username ?? ''}>
                  <td className="nowrap">
                    <time dateTime={e.created_at}>{when(e.created_at)}</time>
                  </td>
                  <td>{e.actor_username ?? e.actor_id ?? t('audit.system')}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td className="audit-target">{e.target ?? '—'}</td>
                  <td className="nowrap">{e.ip ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more && (
        <button type="button" className="button" data-testid="audit-more" disabled={busy} onClick={() => load(applied, entries ?? [])}>
          {t('audit.more')}
        </button>
      )}
    </section>
  );
}
