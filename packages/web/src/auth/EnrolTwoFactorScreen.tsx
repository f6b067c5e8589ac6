import { useMemo, useState } from 'react';
import { Parley } from '@parley/sdk';
import { useT } from '../i18n/i18n';
import { updateTokens, type StoredSession } from '../storage/session';
import { TwoFactorSection, type TwoFactorRequest } from '../settings/TwoFactorSection';
import { AuthCard } from './AuthScreen';

interface Props {
  session: StoredSession;
  /** Two-factor sign-in is on: the session may do everything now. */
  onDone: () => void;
  onSignOut: () => void;
}

/**
 * The workspace requires two-factor sign-in and this account has not turned it on: until it
 * does, the server lets the session do nothing else, so this is all there is to see. The
 * recovery codes stay on screen until the person says they kept them.
 */
export function EnrolTwoFactorScreen({ session, onDone, onSignOut }: Props) {
  const t = useT();
  const [enabled, setEnabled] = useState(false);
  const client = useMemo(
    () => new Parley({ url: location.origin, token: session.access_token, refreshToken: session.refresh_token, onTokens: updateTokens }),
    [session.access_token, session.refresh_token],
  );
  const request: TwoFactorRequest = (method, path, body) => client.rest.request(method, path, body);

  return (
    <AuthCard>
      <h1>{t('enrol.title')}</h1>
      <p data-testid="enrol-2fa-explainer">{t('enrol.explainer')}</p>
      <TwoFactorSection request={request} onEnabled={() => setEnabled(true)} />
      {enabled ? (
        <button type="button" className="button primary wide" data-testid="enrol-2fa-continue" onClick={onDone}>
          {t('enrol.continue')}
        </button>
      ) : (
        <button
          type="button"
          className="link-button"
          onClick={() => {
            void client.rest.request('POST', '/auth/logout').catch(() => undefined);
            onSignOut();
          }}
        >
          {t('enrol.signOut')}
        </button>
      )}
    </AuthCard>
  );
}
