import { ParleyError } from '@parley/sdk';
import type { Translate } from '../i18n/i18n';

/** A user-facing sentence for a failed request, in the current language. */
export function describeError(e: unknown, t: Translate): string {
  if (e instanceof ParleyError) {
    // A sign-in lockout lasts minutes to an hour: "in a moment" would send people retrying in vain.
    if (e.code === 'rate_limited' && e.retryAfterMs !== null && e.retryAfterMs > 10_000) return t('error.rate_limited_minutes', { n: Math.ceil(e.retryAfterMs / 60_000) });
    switch (e.code) {
      case 'invalid_credentials':
      case 'username_taken':
      case 'registration_closed':
      case 'password_login_disabled':
      case 'rate_limited':
      case 'network':
        return t(`error.${e.code}`);
      case 'invalid_request':
        return e.message || t('error.invalid_request');
      // A slash command's endpoint failed: the server says which and how (`/deploy answered 500.`).
      case 'command_failed':
        return e.message || t('error.generic', { message: e.code });
      default:
        return t('error.generic', { message: e.message });
    }
  }
  return t('error.generic', { message: e instanceof Error ? e.message : String(e) });
}

/** The same for a wrong authenticator or recovery code, which the server answers as invalid credentials. */
export function describeCodeError(e: unknown, t: Translate): string {
  return e instanceof ParleyError && e.code === 'invalid_credentials' ? t('auth.codeWrong') : describeError(e, t);
}
