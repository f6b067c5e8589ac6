import type { User } from '@parley/protocol';
import type { Tokens } from '@parley/sdk';

/** What survives a reload: the tokens (refreshed by the SDK through onTokens) and who they belong to. */
export interface StoredSession {
  access_token: string;
  refresh_token: string | null;
  user: User;
  /** The workspace requires two-factor sign-in and this session has to turn it on first. */
  must_enrol_2fa?: boolean;
}

const KEY = 'parley.session';

export function loadSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof v.access_token !== 'string' || !v.user || typeof v.user.id !== 'string') return null;
    return { access_token: v.access_token, refresh_token: v.refresh_token ?? null, user: v.user, ...(v.must_enrol_2fa ? { must_enrol_2fa: true } : {}) };
  } catch {
    return null;
  }
}

export function saveSession(s: StoredSession): void {
  localStorage.setItem(KEY, JSON.stringify(s));
}

export function updateTokens(t: Tokens): void {
  const s = loadSession();
  if (s) saveSession({ ...s, access_token: t.access_token, refresh_token: t.refresh_token ?? s.refresh_token });
}

export function updateUser(user: User): void {
  const s = loadSession();
  if (s) saveSession({ ...s, user });
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}
