import { defaultNotifyLevel, dndActive, levelNotifies, type Conversation, type Message } from '@parley/protocol';
import { mentionsUser } from '@parley/sdk';
import { translate } from '../i18n/i18n';
import { conversationName, userLabel } from '../chat/names';
import type { ChatState } from '../chat/types';
import { playChime } from './sound';

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
 * Whether a new message notifies me: my level in its conversation says so (every message, only
 * mentions of me — a channel's default — or nothing), and Do Not Disturb does not hold. The same
 * rules as the server's Web Push (push/dispatcher.ts).
 */
export function shouldNotify(s: Pick<ChatState, 'me' | 'notifications'>, conv: Conversation, msg: Message, now = Date.now()): boolean {
  if (dndActive(s.notifications, now)) return false;
  const level = conv.membership?.notify ?? defaultNotifyLevel(conv.kind);
  return levelNotifies(level, mentionsUser(msg, s.me.id));
}

/**
 * A desktop notification (with a chime, unless sounds are off) for a message while the tab is
 * hidden, as shouldNotify decides. Events older than a minute are a resync backlog, not news, and stay
 * quiet.
 */
export function maybeNotify(store: { state: ChatState }, conv: Conversation, msg: Message, ts: string): void {
  if (document.visibilityState !== 'hidden') return;
  if (Date.now() - Date.parse(ts) > 60_000) return;
  const s = store.state;
  if (!shouldNotify(s, conv, msg) || !notificationsEnabled()) return;
  // The sound is ours (the same on every system), or none with sounds off.
  if (s.notifications?.sounds !== false) playChime();
  const sender = userLabel(s.users[msg.sender_id], '');
  const title = conv.kind === 'dm' ? translate('notify.dm', { name: sender }) : translate('notify.mention', { name: sender, conv: conversationName(conv, s.users, s.me.id) });
  try {
    // A message of files alone says which files. A burn message says only what it is: its words
    // and file names are for the reader who reveals it, not for a lock screen.
    const text = msg.burn ? `🔥 ${translate('burn.preview')}` : msg.body.trim() === '' ? msg.attachments.map((a) => a.name).join(', ') : msg.body;
    const n = new Notification(title, { body: preview(text), tag: `parley-${conv.id}`, icon: '/icons/icon-192.png', silent: true });
    n.onclick = () => {
      window.focus();
      window.dispatchEvent(new CustomEvent('parley:open', { detail: { convId: conv.id, messageId: msg.id } }));
      n.close();
    };
  } catch {
    /* some platforms only allow notifications from a service worker; skip rather than fail */
  }
}
