import type { PushPayload } from '@parley/protocol';

export interface PushNotification {
  title: string;
  options: NotificationOptions & { data: { url: string; conv_id: string | null; message_id: string | null } };
}

/**
 * The notification a push shows, from the server's PushPayload (push/dispatcher.ts): its title
 * and body as the server wrote them — for a burn-after-reading message exactly the payload's
 * body ("a message that burns after reading"), never anything else — one notification per
 * conversation (the tag), and where a click leads. Something unreadable still shows a neutral
 * notification: a push the user never sees would count against the site.
 */
export function notificationFor(data: unknown): PushNotification {
  const p = (data && typeof data === 'object' ? data : {}) as Partial<PushPayload>;
  const convId = typeof p.conv_id === 'string' ? p.conv_id : null;
  const url = typeof p.url === 'string' && p.url.startsWith('/') && !p.url.startsWith('//') ? p.url : convId ? `/c/${convId}` : '/';
  const ts = typeof p.ts === 'string' ? Date.parse(p.ts) : NaN;
  return {
    title: typeof p.title === 'string' && p.title !== '' ? p.title : 'Parley',
    options: {
      body: typeof p.body === 'string' ? p.body : '',
      tag: convId ?? 'parley',
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { url, conv_id: convId, message_id: typeof p.message_id === 'string' ? p.message_id : null },
      ...(Number.isFinite(ts) ? { timestamp: ts } : {}),
    } as PushNotification['options'],
  };
}
