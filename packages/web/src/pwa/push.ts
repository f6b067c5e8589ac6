/**
 * Web Push for this browser (the server side: packages/server/src/push): subscribe through the
 * service worker's PushManager with the server's VAPID key and hand the subscription to the
 * server; unsubscribe on both sides. The worker shows what arrives (push-sw.ts).
 */

/** Why this browser cannot receive pushes, or null when it can try. */
export type PushUnavailable = 'unsupported' | 'insecure' | 'no_worker';

export class PushRefused extends Error {
  constructor(
    /** `denied`: notification permission is blocked; `service`: the browser's push service refused or did not answer. */
    readonly reason: 'denied' | 'service' | PushUnavailable,
    message: string,
  ) {
    super(message);
  }
}

export function pushUnavailable(): PushUnavailable | null {
  if (!('serviceWorker' in navigator) || typeof PushManager === 'undefined' || typeof Notification === 'undefined') return 'unsupported';
  if (!window.isSecureContext) return 'insecure';
  return null;
}

/** The service worker's registration, or null when none is registered (a development build) within a few seconds. */
async function registration(timeoutMs = 5_000): Promise<ServiceWorkerRegistration | null> {
  if (pushUnavailable()) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  try {
    return await Promise.race([navigator.serviceWorker.ready, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** This browser's push subscription, if it has one. */
export async function browserSubscription(): Promise<PushSubscription | null> {
  const reg = await registration(1_500);
  return reg ? reg.pushManager.getSubscription() : null;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/**
 * Asks for notification permission if needed (call from a click) and subscribes this browser with
 * the server's key. The browser's push service must answer; one that refuses or is unreachable is
 * a PushRefused('service') naming what the browser said.
 */
export async function subscribeBrowser(vapidPublicKey: string, timeoutMs = 20_000): Promise<PushSubscriptionJSON> {
  const unavailable = pushUnavailable();
  if (unavailable) throw new PushRefused(unavailable, unavailable);
  const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  if (permission !== 'granted') throw new PushRefused('denied', 'notification permission denied');
  const reg = await registration();
  if (!reg) throw new PushRefused('no_worker', 'no service worker');
  const key = keyBytes(vapidPublicKey);
  const existing = await reg.pushManager.getSubscription();
  // A subscription made with another key (a reset server) cannot be used: start again.
  if (existing && existing.options.applicationServerKey && !sameBytes(new Uint8Array(existing.options.applicationServerKey), key)) await existing.unsubscribe();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const sub = await Promise.race([
      reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from the browser's push service in ${timeoutMs / 1000} s`)), timeoutMs))),
    ]);
    return sub.toJSON();
  } catch (e) {
    if (e instanceof DOMException && e.name === 'NotAllowedError') throw new PushRefused('denied', e.message);
    throw new PushRefused('service', e instanceof Error ? e.message : String(e));
  } finally {
    clearTimeout(timer);
  }
}

/** Drops this browser's subscription (the server's row is removed by the caller). */
export async function unsubscribeBrowser(): Promise<void> {
  const sub = await browserSubscription();
  await sub?.unsubscribe();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
