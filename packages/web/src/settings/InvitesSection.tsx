import { useEffect, useId, useState, type FormEvent } from 'react';
import type { Invite, InviteSummary } from '@parley/protocol';
import { Parley } from '@parley/sdk';
import { useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { invitePath } from '../app/router';
import { useT } from '../i18n/i18n';
import { fullTime, relativeTime } from '../messages/format';
import { useAction } from '../ui/useAction';
import './invites.css';

const EXPIRY = [
  { hours: 24, label: 'invites.expires.1d' },
  { hours: 168, label: 'invites.expires.7d' },
  { hours: 720, label: 'invites.expires.30d' },
] as const;
const USES = [1, 5, 25, 100] as const;

/**
 * Owners and admins: invite links (`/invite/CODE`) for a number of people and a time, the open
 * and used ones listed with who made and who used them, each revocable (`/invites`, `parley
 * invite`). The server keeps only a code's hash, so a link is shown once, when it is made.
 */
export function InvitesSection() {
  const t = useT();
  const store = useStore();
  const id = useId();
  const [invites, setInvites] = useState<InviteSummary[] | null>(null);
  const [hours, setHours] = useState<number>(168);
  const [uses, setUses] = useState<number>(1);
  const [made, setMade] = useState<Invite | null>(null);
  const [copied, setCopied] = useState(false);
  const [open, setOpen] = useState(false);
  const { busy, error, setError, act } = useAction();

  useEffect(() => {
    store.invites
      .list()
      .then(setInvites)
      .catch((e: unknown) => setError(describeError(e, t)));
    // Sign-up open to anyone: links are not needed, though they work; say so.
    new Parley({ url: location.origin })
      .authOptions()
      .then((o) => setOpen(o.registration === 'open'))
      .catch(() => undefined);
  }, [store]);

  const link = made ? `${location.origin}${invitePath(made.code)}` : '';

  function create(e: FormEvent) {
    e.preventDefault();
    void act(async () => {
      const inv = await store.invites.create({ expires_in_hours: hours, max_uses: uses });
      setMade(inv);
      setCopied(false);
      setInvites(await store.invites.list());
    });
  }

  function revoke(inviteId: string) {
    void act(async () => {
      await store.invites.revoke(inviteId);
      if (made?.id === inviteId) setMade(null);
      setInvites(await store.invites.list());
    });
  }

  function copy() {
    void navigator.clipboard
      ?.writeText(link)
      .then(() => setCopied(true))
      .catch(() => undefined);
  }

  return (
    <section className="settings-section" aria-labelledby={`${id}-title`} data-testid="invites-section">
      <h3 id={`${id}-title`}>{t('invites.title')}</h3>
      <p className="muted small">{t('invites.intro')}</p>
      {open && <p className="muted small">{t('invites.openNote')}</p>}
      <form className="webhook-form invite-form" onSubmit={create}>
        <label className="field">
          <span>{t('invites.expires')}</span>
          <select className="input" data-testid="invite-expires" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {EXPIRY.map((x) => (
              <option key={x.hours} value={x.hours}>
                {t(x.label)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('invites.uses')}</span>
          <select className="input" data-testid="invite-uses" value={uses} onChange={(e) => setUses(Number(e.target.value))}>
            {USES.map((n) => (
              <option key={n} value={n}>
                {t('invites.uses.n', { n })}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button primary" data-testid="invite-create" disabled={busy}>
          {t('invites.create')}
        </button>
      </form>
      {made && (
        <div className="invite-made" data-testid="invite-made">
          <label className="field">
            <span>{t('invites.created')}</span>
            <input className="input" data-testid="invite-link" readOnly value={link} aria-label={t('invites.linkLabel')} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button type="button" className="button" data-testid="invite-copy" onClick={copy}>
            {copied ? t('invites.copied') : t('invites.copy')}
          </button>
        </div>
      )}
      <ul className="sessions-list" data-testid="invite-list" aria-busy={invites === null && !error}>
        {invites === null && !error && <li className="muted">{t('invites.loading')}</li>}
        {invites?.length === 0 && (
          <li className="muted" data-testid="invites-empty">
            {t('invites.none')}
          </li>
        )}
        {invites?.map((inv) => (
          <li key={inv.id} className="session-row" data-testid="invite-row" data-invite-id={inv.id} data-state={inv.state}>
            <div>
              <strong>{t('invites.row', { hint: inv.hint ?? '' })}</strong> <span className="tag">{t(`invites.state.${inv.state}`)}</span>
              <div className="muted small">
                {[
                  t('invites.by', { name: inv.created_by ? `@${inv.created_by.username}` : '—', time: relativeTime(inv.created_at) }),
                  t('invites.usesOf', { uses: inv.uses, max: inv.max_uses }),
                  ...(inv.state === 'active' ? [t('invites.expiresAt', { time: fullTime(inv.expires_at) })] : []),
                ].join(' · ')}
              </div>
              {inv.used_by.length > 0 && (
                <div className="muted small" data-testid="invite-used-by">
                  {t('invites.usedBy', { names: inv.used_by.map((u) => `@${u.username}`).join(', ') })}
                </div>
              )}
            </div>
            {inv.state === 'active' && (
              <button
                type="button"
                className="button small danger"
                data-testid="invite-revoke"
                disabled={busy}
                aria-label={t('invites.revokeLabel', { hint: inv.hint ?? '' })}
                onClick={() => revoke(inv.id)}
              >
                {t('invites.revoke')}
              </button>
            )}
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
