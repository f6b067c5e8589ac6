import type { FetchLike } from '@parley/sdk';
import { loadSession, saveSession } from '../storage/session';

interface RefreshAnswer {
  access_token: string;
  refresh_token: string;
}

/**
 * A fetch for the SDK that makes token refreshes safe across tabs. The server rotates refresh
 * tokens and treats a reused one as theft (the whole session is revoked), so two tabs refreshing
 * on their own would sign the user out. Refreshes take a cross-tab lock; inside it, a tab whose
 * refresh token was already rotated by another tab gets the stored, newer tokens instead of
 * asking the server, and a real answer is saved before the lock is released.
 */
export const coordinatedFetch: FetchLike = async (input, init) => {
  if (init?.method !== 'POST' || !input.endsWith('/api/v1/auth/refresh')) return fetch(input, init);
  const run = async () => {
    let presented: string | null = null;
    try {
      presented = (JSON.parse(typeof init.body === 'string' ? init.body : '{}') as { refresh_token?: string }).refresh_token ?? null;
    } catch {
      presented = null;
    }
    const stored = loadSession();
    if (stored?.refresh_token && presented && stored.refresh_token !== presented) {
      const body = JSON.stringify({ user: stored.user, access_token: stored.access_token, refresh_token: stored.refresh_token });
      return { status: 200, text: async () => body };
    }
    const res = await fetch(input, init);
    const text = await res.text();
    if (res.status === 200 && stored) {
      try {
        const t = JSON.parse(text) as RefreshAnswer;
        saveSession({ ...stored, access_token: t.access_token, refresh_token: t.refresh_token });
      } catch {
        /* the SDK reports the bad answer */
      }
    }
    return { status: res.status, text: async () => text };
  };
  if (typeof navigator.locks?.request === 'function') return navigator.locks.request('parley-token-refresh', run);
  return run();
};
