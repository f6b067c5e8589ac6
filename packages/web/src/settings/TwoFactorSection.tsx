import { useContext, useEffect, useMemo, useState, type FormEvent } from 'react';
import { renderSVG } from 'uqr';
import type { TwoFactorSetup, TwoFactorStatus } from '@parley/protocol';
import { ChatContext } from '../chat/context';
import { describeCodeError, describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { useAction } from '../ui/useAction';

/**
 * Two-factor sign-in: set it up with an authenticator app (a QR code, or the secret typed in),
 * confirm with its first code, keep the recovery codes shown then; later, new recovery codes or
 * turning it off, each with a current code. What `parley 2fa` does.
 */
/** A request to the server with the signed-in session: the chat store's, or the enrolment screen's own client. */
export type TwoFactorRequest = <T>(method: 'GET' | 'POST', path: string, body?: unknown) => Promise<T>;

export function TwoFactorSection({ request, onEnabled }: { request?: TwoFactorRequest; onEnabled?: () => void } = {}) {
  const t = useT();
  const store = useContext(ChatContext);
  const call: TwoFactorRequest = request ?? (<T,>(method: 'GET' | 'POST', path: string, body?: unknown) => store!.api.twoFactor<T>(method, path, body));
  const [status, setStatus] = useState<TwoFactorStatus | null>(null);
  const [setup, setSetup] = useState<TwoFactorSetup | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const { busy, error, setError, act } = useAction(describeCodeError);

  const refresh = async () => setStatus(await call('GET', '/me/2fa'));
  useEffect(() => {
    refresh().catch((e: unknown) => setError(describeError(e, t)));
  }, [store]);

  // The QR code is drawn here, from the otpauth:// URI: the secret never leaves for a QR service.
  const qr = useMemo(() => (setup ? `data:image/svg+xml;utf8,${encodeURIComponent(renderSVG(setup.otpauth_uri, { border: 2 }))}` : null), [setup]);
  const proof = () => (/^[0-9 ]{6,8}$/.test(code.trim()) ? { code: code.trim() } : { recovery_code: code.trim() });

  function confirm(e: FormEvent) {
    e.preventDefault();
    void act(async () => {
      const res = await call<{ recovery_codes: string[] }>('POST', '/me/2fa/enable', { code: code.trim() });
      setCodes(res.recovery_codes);
      setSetup(null);
      setCode('');
      await refresh();
      onEnabled?.();
    });
  }

  function withCode(path: '/me/2fa/disable' | '/me/2fa/recovery-codes') {
    void act(async () => {
      const res = await call<{ recovery_codes?: string[] } | null>('POST', path, proof());
      setCodes(res?.recovery_codes ?? null);
      setCode('');
      await refresh();
    });
  }

  return (
    <section className="settings-section" data-testid="two-factor-section" aria-labelledby="two-factor-title">
      <h3 id="two-factor-title">{t('twofa.title')}</h3>
      {status === null ? (
        <p className="muted">{t('twofa.loading')}</p>
      ) : status.enabled ? (
        <p data-testid="two-factor-state">{t('twofa.on', { n: status.recovery_codes_left })}</p>
      ) : (
        <p className="muted" data-testid="two-factor-state">
          {t('twofa.off')}
        </p>
      )}
      {codes && (
        <div className="shown-once" data-testid="recovery-codes">
          <p className="small">{t('twofa.codesOnce')}</p>
          <pre className="recovery-codes">{codes.join('\n')}</pre>
        </div>
      )}
      {status && !status.enabled && !setup && (
        <button type="button" className="button" data-testid="two-factor-setup" disabled={busy} onClick={() => void act(async () => setSetup(await call<TwoFactorSetup>('POST', '/me/2fa/setup')))}>
          {t('twofa.setup')}
        </button>
      )}
      {setup && (
        <form className="two-factor-setup" onSubmit={confirm}>
          <p className="small">{t('twofa.scan')}</p>
          {qr && <img className="qr" src={qr} alt={t('twofa.qrAlt')} width={180} height={180} data-testid="two-factor-qr" />}
          <p className="small">
            {t('twofa.secret')} <code data-testid="two-factor-secret">{setup.secret}</code>
          </p>
          <label className="field">
            <span>{t('twofa.code')}</span>
            <input className="input" data-testid="two-factor-code" autoComplete="one-time-code" inputMode="numeric" maxLength={8} value={code} onChange={(e) => setCode(e.target.value)} />
          </label>
          <button type="submit" className="button primary" data-testid="two-factor-enable" disabled={busy || code.trim().length < 6}>
            {t('twofa.enable')}
          </button>
        </form>
      )}
      {status?.enabled && (
        <div className="two-factor-manage">
          <label className="field">
            <span>{t('twofa.codeOrRecovery')}</span>
            <input className="input" data-testid="two-factor-proof" autoComplete="one-time-code" maxLength={32} value={code} onChange={(e) => setCode(e.target.value)} />
          </label>
          <button type="button" className="button" data-testid="two-factor-new-codes" disabled={busy || code.trim().length < 6} onClick={() => withCode('/me/2fa/recovery-codes')}>
            {t('twofa.newCodes')}
          </button>
          <button type="button" className="button danger" data-testid="two-factor-disable" disabled={busy || code.trim().length < 6} onClick={() => withCode('/me/2fa/disable')}>
            {t('twofa.disable')}
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
