import { useEffect, useId, useState } from 'react';
import type { Lockout } from '@parley/protocol';
import { useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { fullTime } from '../messages/format';
import { useAction } from '../ui/useAction';

/**
 * Owners and admins: accounts and addresses locked out of signing in (or with recent failed
 * sign-ins), each with an Unlock button (`GET`/`DELETE /admin/lockouts`, `parley admin lockouts`).
 * Everyone else never sees this section (the server refuses them anyway).
 */
export function LockoutsSection() {
  const t = useT();
  const store = useStore();
  const id = useId();
  const [lockouts, setLockouts] = useState<Lockout[] | null>(null);
  const { busy, error, setError, act } = useAction();

  // Fresh on opening: lockouts start and end all the time.
  useEffect(() => {
    store.api
      .listLockouts()
      .then(setLockouts)
      .catch((e: unknown) => setError(describeError(e, t)));
  }, [store]);

  function unlock(key: string) {
    void act(async () => {
      await store.api.clearLockout(key);
      setLockouts(await store.api.listLockouts());
    });
  }

  return (
    <section className="settings-section" aria-labelledby={`${id}-title`} data-testid="lockouts-section">
      <h3 id={`${id}-title`}>{t('lockouts.title')}</h3>
      <p className="muted small">{t('lockouts.intro')}</p>
      <ul className="webhook-list" data-testid="lockout-list" aria-busy={lockouts === null && !error}>
        {lockouts === null && !error && <li className="muted">{t('lockouts.loading')}</li>}
        {lockouts?.length === 0 && (
          <li className="muted" data-testid="lockouts-empty">
            {t('lockouts.none')}
          </li>
        )}
        {lockouts?.map((l) => (
          <li key={l.key} className="webhook-row" data-testid="lockout-row" data-key={l.key}>
            <div className="webhook-name">
              <strong>{l.kind === 'account' ? t('lockouts.account', { name: l.subject }) : t('lockouts.ip', { address: l.subject })}</strong>
              <div className="muted small">
                {[
                  l.locked_until ? t('lockouts.lockedUntil', { time: fullTime(l.locked_until) }) : t('lockouts.failures', { n: l.failures }),
                  ...(l.level > 0 ? [t('lockouts.level', { n: l.level })] : []),
                ].join(' · ')}
              </div>
            </div>
            <button type="button" className="button small" disabled={busy} data-testid="lockout-clear" aria-label={t('lockouts.unlockLabel', { key: l.key })} onClick={() => unlock(l.key)}>
              {t('lockouts.unlock')}
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
