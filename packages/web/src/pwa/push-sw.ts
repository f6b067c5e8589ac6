/**
 * The service worker's Web Push handlers, loaded into the worker vite-plugin-pwa generates with
 * `importScripts('push-sw.js')` (vite.config.ts builds this file to that name, as a classic
 * script: it must import nothing at run time).
 *
 * - `push`: shows the notification the payload describes (push-notification.ts).
 * - `notificationclick`: focuses an open Parley tab and opens the conversation there (the app
 *   routes it without a reload), or opens a new window at its URL.
 */
import { notificationFor } from './push-notification';

declare const self: ServiceWorkerGlobalScope;

self.addEventListener('push', (event) => {
  let data: unknown = null;
  try {
    data = event.data?.json() ?? null;
  } catch {
    data = null;
  }
  const n = notificationFor(data);
  event.waitUntil(self.registration.showNotification(n.title, n.options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = (event.notification.data as { url?: string } | null)?.url ?? '/';
  const url = new URL(path, self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const tab = windows.find((c) => new URL(c.url).origin === self.location.origin);
      if (tab) {
        await tab.focus();
        tab.postMessage({ type: 'parley:open', url: path });
        return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});
