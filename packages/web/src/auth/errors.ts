import { ParleyError } from '@parley/sdk';
import type { Translate } from '../i18n/i18n';
import type { StringKey } from '../i18n/strings';

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

/** What a username may be (the server's `Username` schema), as the sentence that explains a wrong one. */
export function usernameProblem(typed: string): StringKey | null {
  const name = typed.trim().toLowerCase();
  if (name.length < 2 || name.length > 32) return 'auth.error.usernameLength';
  if (!/^[a-z0-9]/.test(name)) return 'auth.error.usernameStart';
  if (!/^[a-z0-9._-]*$/.test(name)) return 'auth.error.usernameChars';
  return null;
}

/** The characters a username may not hold, each once, to name them in the sentence (a space as ␣, to be seen). */
export function badUsernameChars(typed: string): string {
  return [
    ...new Set(
      typed
        .trim()
        .toLowerCase()
        .replace(/[a-z0-9._-]/g, ''),
    ),
  ]
    .map((c) => (/\s/.test(c) ? '␣' : c))
    .join('');
}

/** The sentence for a username as typed, or null when it is a valid one. */
export function describeUsername(typed: string, t: Translate): string | null {
  const key = usernameProblem(typed);
  if (key === null) return null;
  return key === 'auth.error.usernameChars' ? t(key, { chars: badUsernameChars(typed) }) : t(key);
}

/**
 * A failed sign-up in words. The server's schema answers name the field and the pattern
 * (`/body/username must match pattern "^[a-z0-9]…"`); people are told what the field may hold.
 */
export function describeSignUpError(e: unknown, t: Translate, typed: { username: string; inviteCode: string }): string {
  if (e instanceof ParleyError && e.code === 'invalid_request') {
    const field = /\/(?:body\/)?(username|password|display_name|invite_code)\b/.exec(e.message)?.[1];
    if (field === 'username') return describeUsername(typed.username, t) ?? t('auth.error.username');
    if (field === 'password') return t('auth.error.password');
    if (field === 'display_name') return t('auth.error.displayName');
    if (field === 'invite_code') return t('auth.error.inviteInvalid');
  }
  // With a code typed in, "needs an invite code" would be wrong: that code is the problem.
  if (e instanceof ParleyError && e.code === 'registration_closed' && typed.inviteCode.trim()) return t('auth.error.inviteInvalid');
  return describeError(e, t);
}
