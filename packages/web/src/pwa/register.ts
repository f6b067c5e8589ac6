import { warnFailed } from '../app/report';
import { navigate } from '../app/router';

/**
 * Registers the service worker that vite-plugin-pwa generates (app shell precache, offline
 * start, Web Push: push-sw.ts). Only in production builds and secure contexts; a new version
 * activates on the next load. A click on a push notification asks an open tab to show its
 * conversation: the tab routes there without a reload.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.addEventListener('message', (e: MessageEvent<unknown>) => {
    const d = e.data as { type?: unknown; url?: unknown } | null;
    if (d?.type === 'parley:open' && typeof d.url === 'string' && d.url.startsWith('/') && !d.url.startsWith('//')) navigate(d.url);
  });
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(warnFailed('registering the service worker (no offline start)'));
  });
}
