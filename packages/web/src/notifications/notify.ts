import type { Conversation, Message } from '@parley/protocol';
import { translate } from '../i18n/i18n';
import { conversationName, mentionsMe, userLabel } from '../chat/names';
import type { ChatState } from '../chat/types';

const PREF_KEY = 'parley.notifications';

export function notificationsSupported(): boolean {
  return typeof Notification !== 'undefined';
}

export function notificationsEnabled(): boolean {
  return notificationsSupported() && localStorage.getItem(PREF_KEY) === 'on' && Notification.permission === 'granted';
}

/** Turns notifications on, asking for permission only now (a user gesture), never on load. */
export async function enableNotifications(): Promise<NotificationPermission> {
  if (!notificationsSupported()) return 'denied';
  const perm = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  if (perm === 'granted') localStorage.setItem(PREF_KEY, 'on');
  return perm;
}

export function disableNotifications(): void {
  localStorage.removeItem(PREF_KEY);
}

/** Markdown to a short plain line: the notification API renders text, never HTML. */
function preview(body: string): string {
  const text = body
    .replace(/```[\s\S]*?```/g, '[code]')
    .replace(/[*_`~>#]/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

/**
 * A desktop notification for a DM or a mention while the tab is hidden. Events older than a
 * minute are a resync backlog, not news, and stay quiet.
 */
export function maybeNotify(store: { state: ChatState }, conv: Conversation, msg: Message, ts: string): void {
  if (!notificationsEnabled() || document.visibilityState !== 'hidden') return;
  if (Date.now() - Date.parse(ts) > 60_000) return;
  const s = store.state;
  const mentioned = mentionsMe(msg, s.me.id);
  if (conv.kind !== 'dm' && !mentioned) return;
  // Muted: nothing but a mention of me.
  if (conv.membership?.muted && !mentioned) return;
  const sender = userLabel(s.users[msg.sender_id], '');
  const title = conv.kind === 'dm' ? translate('notify.dm', { name: sender }) : translate('notify.mention', { name: sender, conv: conversationName(conv, s.users, s.me.id) });
  try {
    // A message of files alone says which files.
    const text = msg.body.trim() === '' ? msg.attachments.map((a) => a.name).join(', ') : msg.body;
    const n = new Notification(title, { body: preview(text), tag: `parley-${conv.id}`, icon: '/icons/icon-192.png' });
    n.onclick = () => {
      window.focus();
      window.dispatchEvent(new CustomEvent('parley:open', { detail: { convId: conv.id, messageId: msg.id } }));
      n.close();
    };
  } catch {
    /* some platforms only allow notifications from a service worker; skip rather than fail */
  }
}
