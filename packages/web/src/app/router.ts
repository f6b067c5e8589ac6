import { useSyncExternalStore } from 'react';

/** The app's routes: `/`, `/c/<conv_id>`, `/c/<conv_id>/<message_id>` (a message link) and `/admin` (the admin console). */
export type Route = { name: 'home' } | { name: 'conversation'; convId: string; messageId: string | null } | { name: 'admin' };

const listeners = new Set<() => void>();
let cachedPath = '';
let cachedRoute: Route = { name: 'home' };

export function parseRoute(pathname: string): Route {
  const m = /^\/c\/([0-9A-Za-z]{26})(?:\/([0-9A-Za-z]{26}))?\/?$/.exec(pathname);
  if (m) return { name: 'conversation', convId: m[1]!.toUpperCase(), messageId: m[2]?.toUpperCase() ?? null };
  if (/^\/admin\/?$/.test(pathname)) return { name: 'admin' };
  return { name: 'home' };
}

function current(): Route {
  if (location.pathname !== cachedPath) {
    cachedPath = location.pathname;
    cachedRoute = parseRoute(cachedPath);
  }
  return cachedRoute;
}

window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === location.pathname) return;
  if (opts.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const l of listeners) l();
}

export const ADMIN_PATH = '/admin';

export const convPath = (convId: string, messageId?: string | null): string => (messageId ? `/c/${convId}/${messageId}` : `/c/${convId}`);

export function useRoute(): Route {
  return useSyncExternalStore((fn) => {
    listeners.add(fn);
    return () => listeners.delete(fn);
  }, current);
}

/** An invite link, `/invite/<code>`: the sign-up screen opens with the code filled in. */
export function inviteCodeFromPath(pathname: string): string | null {
  const m = /^\/invite\/([A-Za-z0-9_-]{8,128})\/?$/.exec(pathname);
  return m ? m[1]! : null;
}

export const invitePath = (code: string): string => `/invite/${code}`;
