import { warnFailed } from '../app/report';

/**
 * Registers the service worker that vite-plugin-pwa generates (app shell precache, offline
 * start). Only in production builds and secure contexts; a new version activates on the next load.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(warnFailed('registering the service worker (no offline start)'));
  });
}
