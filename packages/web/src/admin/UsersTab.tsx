import { useId, useState } from 'react';
import type { Session, User, WorkspaceRole } from '@parley/protocol';
import { describeError } from '../auth/errors';
import { useChat } from '../chat/context';
import { useT } from '../i18n/i18n';
import { fullTime } from '../messages/format';
import { InlineConfirm } from '../ui/InlineConfirm';
import { useAction } from '../ui/useAction';
import type { AdminApi } from './admin-api';
import { useAdminT } from './strings';
import { useSearchBox } from '../ui/useSearchBox';

const ROLES: readonly WorkspaceRole[] = ['owner', 'admin', 'member', 'guest'];
const privileged = (r: WorkspaceRole) => r === 'owner' || r === 'admin';

/** Users: search, workspace role, the email single sign-on links by, deactivate or reactivate, reset two-factor, and each one's sessions. */
export function UsersTab({ api }: { api: AdminApi }) {
  const t = useAdminT();
  const tc = useT();
  const id = useId();
  const [query, setQuery] = useState('');
  const [users, setUsers] = useState<Listed[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useSearchBox(
    query,
    (q) => api.users(q),
    (r) => {
      const off = new Set(r.deactivated);
      const emails = new Map(r.emails.map((e) => [e.id, e.email]));
      setUsers(r.users.map((user) => ({ user, deactivated: off.has(user.id), email: emails.get(user.id) ?? null })));
      setError(null);
    },
    (e) => setError(describeError(e, tc)),
  );

  const replace = (next: Listed) => setUsers((list) => list?.map((x) => (x.user.id === next.user.id ? next : x)) ?? null);

  return (
    <div data-testid="admin-users">
      <label className="admin-search" htmlFor={`${id}-q`}>
        <span>{t('users.search')}</span>
        <input id={`${id}-q`} type="search" value={query} placeholder={t('users.searchPlaceholder')} data-testid="admin-user-search" onChange={(e) => setQuery(e.target.value)} />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul className="admin-list" aria-busy={users === null}>
        {users === null && <li className="muted">{t('loading')}</li>}
        {users?.length === 0 && <li className="muted">{t('users.none')}</li>}
        {users?.map((u) => (
          <UserRow key={u.user.id} api={api} listed={u} onChange={replace} />
        ))}
      </ul>
    </div>
  );
}

/** A user as the admin list has them: the user, whether the account is deactivated, and its email. */
interface Listed {
  user: User;
  deactivated: boolean;
  email: string | null;
}

function UserRow({ api, listed, onChange }: { api: AdminApi; listed: Listed; onChange: (u: Listed) => void }) {
  const { user, deactivated } = listed;
  const t = useAdminT();
  const me = useChat((s) => s.me);
  const { busy, error, act } = useAction();
  const [confirm, setConfirm] = useState<'deactivate' | 'signout' | null>(null);
  const [emailDraft, setEmailDraft] = useState<string | null>(null);
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const name = user.display_name || user.username;
  // What the server allows: an admin manages members and guests; owners manage everyone.
  const canManage = me.role === 'owner' || (!privileged(user.role) && user.id !== me.id);
  const roles = me.role === 'owner' ? ROLES : ROLES.filter((r) => !privileged(r));

  const run = (fn: () => Promise<void>) => void act(fn);
  const loadSessions = () => run(async () => setSessions(await api.sessions(user.id)));

  return (
    <li className="admin-user" data-testid="admin-user" data-username={user.username}>
      <div className="admin-user-line">
        <div className="admin-user-name">
          <strong>{name}</strong> <span className="muted">@{user.username}</span>
          {deactivated && <span className="admin-badge stale">{t('users.deactivated')}</span>}
          <span className="muted small admin-user-email" data-testid="admin-user-email">
            {listed.email ?? t('users.noEmail')}
          </span>
        </div>
        <select
          aria-label={t('users.role', { name })}
          value={user.role}
          disabled={busy || !canManage}
          data-testid="admin-user-role"
          onChange={(e) => run(async () => onChange({ ...listed, user: await api.updateUser(user.id, { role: e.target.value as WorkspaceRole }) }))}
        >
          {(roles.includes(user.role) ? roles : [user.role, ...roles]).map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button small"
          disabled={busy || !canManage}
          data-testid="admin-user-sessions"
          aria-expanded={sessions !== null}
          onClick={() => (sessions ? setSessions(null) : loadSessions())}
        >
          {t('users.sessions')}
        </button>
        <button
          type="button"
          className="button small"
          disabled={busy || !canManage}
          data-testid="admin-user-email-edit"
          aria-expanded={emailDraft !== null}
          onClick={() => setEmailDraft(emailDraft === null ? (listed.email ?? '') : null)}
        >
          {t('users.email')}
        </button>
        <button
          type="button"
          className="button small"
          disabled={busy || !canManage}
          data-testid="admin-user-reset-2fa"
          onClick={() =>
            run(async () => {
              await api.resetTwoFactor(user.id);
              setNotice(t('users.reset2faDone', { name }));
            })
          }
        >
          {t('users.reset2fa')}
        </button>
        {deactivated ? (
          <button
            type="button"
            className="button small"
            disabled={busy || !canManage}
            data-testid="admin-user-reactivate"
            onClick={() => run(async () => onChange({ ...listed, user: await api.updateUser(user.id, { deactivated: false }), deactivated: false }))}
          >
            {t('users.reactivate')}
          </button>
        ) : (
          <button type="button" className="button small danger" disabled={busy || !canManage || user.id === me.id} data-testid="admin-user-deactivate" onClick={() => setConfirm('deactivate')}>
            {t('users.deactivate')}
          </button>
        )}
      </div>
      {emailDraft !== null && (
        <form
          className="admin-confirm"
          data-testid="admin-user-email-form"
          onSubmit={(e) => {
            e.preventDefault();
            const email = emailDraft.trim() === '' ? null : emailDraft.trim();
            run(async () => {
              onChange({ ...listed, user: await api.updateUser(user.id, { email }), email: email?.toLowerCase() ?? null });
              setEmailDraft(null);
            });
          }}
        >
          <label className="small">
            {t('users.emailLabel', { name })}{' '}
            <input type="email" className="input" value={emailDraft} maxLength={254} data-testid="admin-user-email-input" onChange={(e) => setEmailDraft(e.target.value)} />
          </label>
          <button type="submit" className="button small" disabled={busy} data-testid="admin-user-email-save">
            {t('users.emailSave')}
          </button>
          <button type="button" className="button small" onClick={() => setEmailDraft(null)}>
            {t('close')}
          </button>
          <p className="small muted">{t('users.emailHint')}</p>
        </form>
      )}
      {confirm === 'deactivate' && (
        <div className="admin-confirm">
          <InlineConfirm
            question={t('users.deactivateQuestion', { name })}
            action={t('users.deactivate')}
            busy={busy}
            testId="admin-user-deactivate-confirm"
            onCancel={() => setConfirm(null)}
            onConfirm={() =>
              run(async () => {
                onChange({ ...listed, user: await api.updateUser(user.id, { deactivated: true }), deactivated: true });
                setConfirm(null);
                setSessions(null);
              })
            }
          />
        </div>
      )}
      {sessions && (
        <div className="admin-sessions" data-testid="admin-sessions">
          <h4>{t('users.sessionsOf', { name })}</h4>
          <ul>
            {sessions.length === 0 && <li className="muted">{t('users.noSessions')}</li>}
            {sessions.map((s) => (
              <li key={s.id} data-testid="admin-session">
                {s.device_name} · {s.ip} · <span className="muted">{t('users.lastUsed', { time: fullTime(s.last_used_at) })}</span>
              </li>
            ))}
          </ul>
          {confirm === 'signout' ? (
            <div className="admin-confirm">
              <InlineConfirm
                question={t('users.signOutQuestion', { name })}
                action={t('users.signOutEverywhere')}
                busy={busy}
                testId="admin-signout-confirm"
                onCancel={() => setConfirm(null)}
                onConfirm={() =>
                  run(async () => {
                    const n = await api.signOutEverywhere(user.id);
                    setConfirm(null);
                    setNotice(t('users.signedOut', { name, n }));
                    setSessions(await api.sessions(user.id));
                  })
                }
              />
            </div>
          ) : (
            <button type="button" className="button small danger" disabled={busy || sessions.length === 0} data-testid="admin-signout-everywhere" onClick={() => setConfirm('signout')}>
              {t('users.signOutEverywhere')}
            </button>
          )}
        </div>
      )}
      {notice && (
        <p className="muted small" role="status" data-testid="admin-user-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
