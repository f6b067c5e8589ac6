import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Parley, ParleyError } from '@parley/sdk';
import type { AuthOptions } from '@parley/protocol';
import { useT } from '../i18n/i18n';
import type { StringKey } from '../i18n/strings';
import type { StoredSession } from '../storage/session';
import { LanguageSelect } from '../settings/LanguageSelect';
import { ThemeToggle } from '../settings/ThemeToggle';
import { describeCodeError, describeError, describeSignUpError, describeUsername } from './errors';
import { inviteCodeFromPath } from '../app/router';
import { setFirstRunState } from '../app/first-run';
import { deviceLabel } from './device';

interface Props {
  onSignedIn: (s: StoredSession) => void;
  notice: string | null;
}

export function AuthScreen({ onSignedIn, notice }: Props) {
  const t = useT();
  /** Opened from an invite link (`/invite/CODE`): sign-up, with the code filled in. */
  const [linkCode] = useState(() => inviteCodeFromPath(location.pathname));
  const [mode, setMode] = useState<'login' | 'register'>(linkCode ? 'register' : 'login');
  const [inviteCode, setInviteCode] = useState(linkCode ?? '');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Set once the password was right and the account asks for a second step. */
  const [challenge, setChallenge] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const registering = mode === 'register';
  const [options, setOptions] = useState<AuthOptions | null>(null);
  /** A single sign-on coming back: the callback's code is being traded for a session. */
  const [ssoBusy, setSsoBusy] = useState(() => ssoReturn() !== null);

  // The code is in the form now; once signed in, the app starts at home rather than at the link.
  useEffect(() => {
    if (linkCode) history.replaceState(null, '', '/' + location.search + location.hash);
  }, [linkCode]);

  useEffect(() => {
    let live = true;
    new Parley({ url: location.origin })
      .authOptions()
      .then((o) => live && setOptions(o))
      // An older server has no options: password sign-in as before.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    const back = ssoReturn();
    if (!back) return;
    // The code is single-use and the address may be bookmarked or shared: out of it at once.
    history.replaceState(null, '', location.pathname + location.search);
    if (back.error) {
      setError(t(ssoErrorKey(back.error)));
      setSsoBusy(false);
      return;
    }
    new Parley({ url: location.origin, deviceName: deviceLabel() })
      .loginWithSso(back.code!)
      .then((res) => onSignedIn(stored(res)))
      .catch((err: unknown) => {
        setError(describeError(err, t));
        setSsoBusy(false);
      });
    // Once, on arrival.
  }, []);

  async function submitCode(e: FormEvent) {
    e.preventDefault();
    if (busy || !challenge) return;
    setBusy(true);
    setError(null);
    try {
      const client = new Parley({ url: location.origin, deviceName: deviceLabel() });
      const typed = code.trim();
      const res = await client.loginSecondFactor(challenge, /^[0-9 ]{6,8}$/.test(typed) ? { code: typed } : { recovery_code: typed });
      onSignedIn(stored(res));
    } catch (err) {
      // An expired or spent challenge: back to the password.
      if (err instanceof ParleyError && err.code === 'invalid_token') setChallenge(null);
      setError(describeCodeError(err, t));
      setBusy(false);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      // A throwaway client: it only makes the auth request; the session's client is made afterwards.
      const client = new Parley({ url: location.origin, deviceName: deviceLabel() });
      const name = username.trim().toLowerCase();
      if (registering) {
        // Said before asking: the same sentences the server's refusal would be turned into.
        const problem = describeUsername(name, t) ?? (password.length < 8 ? t('auth.error.password') : null);
        if (problem) {
          setError(problem);
          setBusy(false);
          return;
        }
      }
      const extra = { ...(displayName.trim() ? { display_name: displayName.trim() } : {}), ...(inviteCode.trim() ? { invite_code: inviteCode.trim() } : {}) };
      const res = registering ? await client.register(name, password, extra) : await client.login(name, password);
      // A new account here: the first-run guide may greet it once it lands in a channel.
      if (registering) setFirstRunState(res.user.id, 'new');
      onSignedIn(stored(res));
    } catch (err) {
      if (err instanceof ParleyError && err.code === 'mfa_required' && err.challenge) {
        setChallenge(err.challenge);
        setCode('');
      } else setError(registering ? describeSignUpError(err, t, { username, inviteCode }) : describeError(err, t));
      setBusy(false);
    }
  }

  if (challenge) {
    return (
      <AuthCard>
        <h1>{t('auth.title.code')}</h1>
        <form onSubmit={submitCode} noValidate>
          <label className="field">
            <span>{t('auth.code')}</span>
            <input
              data-testid="auth-code"
              name="code"
              autoComplete="one-time-code"
              inputMode="text"
              autoCapitalize="none"
              spellCheck={false}
              autoFocus
              required
              maxLength={32}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              aria-describedby="code-hint"
            />
            <small id="code-hint" className="hint">
              {t('auth.codeHint')}
            </small>
          </label>
          {error && (
            <p className="error" role="alert" data-testid="auth-error">
              {error}
            </p>
          )}
          <button type="submit" className="button primary wide" data-testid="auth-code-submit" disabled={busy || code.trim().length < 6}>
            {busy ? t('auth.busy') : t('auth.submit.code')}
          </button>
        </form>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setChallenge(null);
            setError(null);
          }}
        >
          {t('auth.code.back')}
        </button>
      </AuthCard>
    );
  }

  if (ssoBusy) {
    return (
      <AuthCard>
        <h1>{t('auth.title.login')}</h1>
        <p role="status">{t('auth.sso.busy')}</p>
      </AuthCard>
    );
  }

  const sso = options?.sso ?? null;
  const canRegister = options?.registration !== 'closed';
  const askInvite = registering && (options?.registration === 'invite' || linkCode !== null);
  // As the user types: what is wrong with the username, in words (nothing while the field is empty).
  const usernameError = registering && username.trim() ? describeUsername(username, t) : null;
  return (
    <AuthCard>
      <h1>{t(registering ? 'auth.title.register' : 'auth.title.login')}</h1>
      {linkCode && registering && (
        <p className="notice" role="status" data-testid="auth-invited">
          {t('auth.inviteFromLink')}
        </p>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {sso && !registering && (
        <>
          <a className="button primary wide" data-testid="auth-sso" href={`${sso.start_url}?return_to=${encodeURIComponent(location.pathname)}`}>
            {t('auth.sso.button', { name: sso.name })}
          </a>
          <p className="auth-divider">{t(options?.password_login === 'admins' ? 'auth.sso.adminsOnly' : 'auth.sso.or')}</p>
        </>
      )}
      <form onSubmit={submit} noValidate>
        <label className="field">
          <span>{t('auth.username')}</span>
          <input
            data-testid="auth-username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={username}
            onChange={(e) => {
              setUsername(e.target.value);
              // The hint below says what is wrong now: an earlier refusal would only repeat it.
              if (registering) setError(null);
            }}
            aria-describedby={registering ? 'username-hint' : undefined}
            aria-invalid={usernameError ? true : undefined}
          />
          {registering && (
            <small id="username-hint" className={usernameError ? 'hint error' : 'hint'} data-testid="auth-username-hint" aria-live="polite">
              {usernameError ?? t('auth.usernameHint')}
            </small>
          )}
        </label>
        {askInvite && (
          <label className="field">
            <span>{t('auth.invite')}</span>
            <input
              data-testid="auth-invite"
              name="invite_code"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={128}
              value={inviteCode}
              onChange={(e) => setInviteCode(e.target.value)}
              aria-describedby="invite-hint"
            />
            <small id="invite-hint" className="hint">
              {t('auth.inviteHint')}
            </small>
          </label>
        )}
        {registering && (
          <label className="field">
            <span>{t('auth.displayName')}</span>
            <input data-testid="auth-display-name" name="display_name" autoComplete="name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
          </label>
        )}
        <label className="field">
          <span>{t('auth.password')}</span>
          <input
            data-testid="auth-password"
            name="password"
            type="password"
            autoComplete={registering ? 'new-password' : 'current-password'}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={registering ? 'password-hint' : undefined}
          />
          {registering && (
            <small id="password-hint" className="hint">
              {t('auth.passwordHint')}
            </small>
          )}
        </label>
        {error && (
          <p className="error" role="alert" data-testid="auth-error">
            {error}
          </p>
        )}
        <button type="submit" className={`button wide${sso ? '' : ' primary'}`} data-testid="auth-submit" disabled={busy}>
          {busy ? t('auth.busy') : t(registering ? 'auth.submit.register' : 'auth.submit.login')}
        </button>
      </form>
      {(canRegister || registering) && (
        <button
          type="button"
          className="link-button"
          data-testid="auth-toggle"
          onClick={() => {
            setMode(registering ? 'login' : 'register');
            setError(null);
          }}
        >
          {t(registering ? 'auth.toggle.toLogin' : 'auth.toggle.toRegister')}
        </button>
      )}
    </AuthCard>
  );
}

/** What a sign-in leaves to keep across reloads. */
function stored(res: { access_token: string; refresh_token: string; user: StoredSession['user']; must_enrol_2fa?: boolean }): StoredSession {
  return { access_token: res.access_token, refresh_token: res.refresh_token, user: res.user, ...(res.must_enrol_2fa ? { must_enrol_2fa: true } : {}) };
}

/** What a single sign-on's callback left after `#`: a code for a session, or why it failed. */
function ssoReturn(): { code: string | null; error: string | null } | null {
  const params = new URLSearchParams(location.hash.slice(1));
  const code = params.get('sso_code');
  const error = params.get('sso_error');
  return code || error ? { code, error } : null;
}

const SSO_ERRORS = ['expired', 'wrong_browser', 'provider_error', 'invalid_response', 'no_account', 'email_not_verified', 'deactivated', 'unavailable'] as const;

function ssoErrorKey(reason: string): StringKey {
  const known = SSO_ERRORS.find((r) => r === reason) ?? 'provider_error';
  return `auth.sso.error.${known}`;
}

/** The signed-out page around each step: language and theme, the mark, then the step's form. */
export function AuthCard({ children }: { children: ReactNode }) {
  return (
    <div className="auth-page">
      <header className="auth-tools">
        <LanguageSelect />
        <ThemeToggle />
      </header>
      <main className="auth-card">
        <div className="brand" aria-hidden="true">
          <img src="/icons/icon.svg" alt="" width={48} height={48} />
        </div>
        {children}
      </main>
    </div>
  );
}
