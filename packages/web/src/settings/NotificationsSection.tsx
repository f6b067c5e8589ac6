import { useEffect, useState, type FormEvent } from 'react';
import { dndActive, type PushSettings } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { fullTime } from '../messages/format';
import { disableNotifications, enableNotifications, notificationsEnabled, notificationsSupported } from '../notifications/notify';
import { browserSubscription, pushUnavailable, PushRefused, subscribeBrowser, unsubscribeBrowser } from '../pwa/push';

/** Tomorrow at 9:00 in this browser's time zone. */
export function tomorrowAtNine(now = new Date()): Date {
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d;
}

/** `<input type="datetime-local">` text for a time, in this browser's time zone. */
function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * Settings › Notifications: desktop notifications in this browser, push to this device (also with
 * no tab open) and whether pushes show message text, Do Not Disturb with an end time, sounds.
 * Levels per conversation are in each conversation's header. Checkboxes show the new state at once
 * and go back, with the reason, if the server or the browser refuses.
 */
export function NotificationsSection() {
  const t = useT();
  const store = useStore();
  const settings = useChat((s) => s.notifications);
  const [desktop, setDesktop] = useState(notificationsEnabled);
  const [desktopNote, setDesktopNote] = useState<string | null>(notificationsSupported() ? null : t('settings.notificationsUnsupported'));
  const [push, setPush] = useState<PushSettings | null>(null);
  const [pushOn, setPushOn] = useState(false);
  const [pushBusy, setPushBusy] = useState(false);
  const [pushNote, setPushNote] = useState<{ text: string; error: boolean } | null>(() => {
    const why = pushUnavailable();
    return why ? { text: t(`notifications.push.${why}`), error: false } : null;
  });
  const [previews, setPreviews] = useState<boolean | null>(null);
  const [sounds, setSounds] = useState<boolean | null>(null);
  const [custom, setCustom] = useState(() => localInput(new Date(Date.now() + 2 * 3_600_000)));
  const [error, setError] = useState<string | null>(null);
  const [, setTick] = useState(0);
  const dndOn = dndActive(settings);

  // Whether this browser is subscribed: it holds a subscription and the server has this session's.
  useEffect(() => {
    let live = true;
    (async () => {
      const server = await store.api.pushSettings();
      if (!live) return;
      setPush(server);
      setPreviews(server.previews);
      const mine = server.subscriptions.some((s) => s.current);
      const local = pushUnavailable() ? null : await browserSubscription().catch(() => null);
      if (live) setPushOn(mine && local !== null);
    })().catch((e: unknown) => live && setError(describeError(e, t)));
    return () => {
      live = false;
    };
  }, [store, t]);

  // Do Not Disturb ends by itself: show it off then.
  useEffect(() => {
    if (!dndOn || !settings?.dnd_until) return;
    const timer = setTimeout(() => setTick((n) => n + 1), Math.min(2 ** 31 - 1, Date.parse(settings.dnd_until) - Date.now() + 50));
    return () => clearTimeout(timer);
  }, [dndOn, settings?.dnd_until]);

  async function toggleDesktop(on: boolean) {
    if (!on) {
      disableNotifications();
      setDesktop(false);
      return;
    }
    setDesktop(true);
    const perm = await enableNotifications();
    setDesktop(perm === 'granted');
    setDesktopNote(perm === 'denied' ? t('settings.notificationsDenied') : null);
  }

  async function togglePush(on: boolean) {
    if (pushBusy || !push) return;
    setPushOn(on);
    setPushBusy(true);
    setPushNote(null);
    try {
      if (on) {
        const sub = await subscribeBrowser(push.vapid_public_key);
        try {
          await store.api.subscribePush({ endpoint: sub.endpoint ?? '', keys: { p256dh: sub.keys?.p256dh ?? '', auth: sub.keys?.auth ?? '' }, expirationTime: sub.expirationTime ?? null });
        } catch (e) {
          // The server would not take it: do not leave the browser subscribed for nothing.
          await unsubscribeBrowser().catch(() => undefined);
          throw e;
        }
        setPushNote({ text: t('notifications.push.on'), error: false });
      } else {
        const mine = (await store.api.pushSettings()).subscriptions.filter((s) => s.current);
        for (const s of mine) await store.api.unsubscribePush(s.id);
        await unsubscribeBrowser();
      }
      setPush(await store.api.pushSettings());
    } catch (e) {
      setPushOn(!on);
      if (e instanceof PushRefused) setPushNote({ text: e.reason === 'service' ? t('notifications.push.refused', { reason: e.message }) : t(`notifications.push.${e.reason}`), error: true });
      else setPushNote({ text: describeError(e, t), error: true });
    } finally {
      setPushBusy(false);
    }
  }

  async function togglePreviews(on: boolean) {
    setPreviews(on);
    setError(null);
    try {
      const next = await store.api.setPushPreviews(on);
      setPush(next);
      setPreviews(next.previews);
    } catch (e) {
      setPreviews(!on);
      setError(describeError(e, t));
    }
  }

  async function toggleSounds(on: boolean) {
    setSounds(on);
    setError(null);
    try {
      await store.setSounds(on);
    } catch (e) {
      setError(describeError(e, t));
    } finally {
      setSounds(null);
    }
  }

  async function dnd(until: Date | null) {
    setError(null);
    if (until && until.getTime() <= Date.now()) {
      setError(t('notifications.dndPast'));
      return;
    }
    try {
      await store.setDoNotDisturb(until);
    } catch (e) {
      setError(describeError(e, t));
    }
  }

  function setCustomDnd(e: FormEvent) {
    e.preventDefault();
    const at = new Date(custom);
    if (Number.isNaN(at.getTime())) return setError(t('notifications.dndPast'));
    void dnd(at);
  }

  const soundsOn = sounds ?? settings?.sounds ?? true;
  return (
    <section className="settings-section notifications-section" data-testid="notifications-section" aria-labelledby="notifications-title">
      <h3 id="notifications-title">{t('notifications.title')}</h3>
      <label className="checkbox">
        <input type="checkbox" data-testid="notifications-toggle" checked={desktop} disabled={!notificationsSupported()} onChange={(e) => void toggleDesktop(e.target.checked)} />
        {t('settings.notifications')}
      </label>
      {desktopNote && <p className="muted small">{desktopNote}</p>}

      <label className="checkbox">
        <input type="checkbox" data-testid="push-toggle" checked={pushOn} disabled={push === null || pushBusy || pushUnavailable() !== null} onChange={(e) => void togglePush(e.target.checked)} />
        {t('notifications.push')}
      </label>
      {pushNote && (
        <p className={pushNote.error ? 'error small' : 'muted small'} role={pushNote.error ? 'alert' : 'status'} data-testid="push-status">
          {pushNote.text}
        </p>
      )}
      <label className="checkbox">
        <input type="checkbox" data-testid="push-previews" checked={previews ?? true} disabled={previews === null} onChange={(e) => void togglePreviews(e.target.checked)} />
        {t('notifications.previews')}
      </label>
      <p className="muted small">{t('notifications.previewsHint')}</p>

      <label className="checkbox">
        <input type="checkbox" data-testid="sounds-toggle" checked={soundsOn} disabled={settings === null} onChange={(e) => void toggleSounds(e.target.checked)} />
        {t('notifications.sounds')}
      </label>

      <h4>{t('notifications.dnd')}</h4>
      <p className="small" data-testid="dnd-status" data-on={dndOn ? 'true' : 'false'} data-until={dndOn ? (settings?.dnd_until ?? '') : ''}>
        {dndOn && settings?.dnd_until ? t('notifications.dndUntil', { time: fullTime(settings.dnd_until) }) : t('notifications.dndOff')}
      </p>
      <form className="dnd-actions" onSubmit={setCustomDnd}>
        <button type="button" className="button small" data-testid="dnd-1h" disabled={settings === null} onClick={() => void dnd(new Date(Date.now() + 3_600_000))}>
          {t('notifications.dnd1h')}
        </button>
        <button type="button" className="button small" data-testid="dnd-tomorrow" disabled={settings === null} onClick={() => void dnd(tomorrowAtNine())}>
          {t('notifications.dndTomorrow')}
        </button>
        <label className="dnd-custom">
          {t('notifications.dndCustom')} <input type="datetime-local" data-testid="dnd-custom" value={custom} onChange={(e) => setCustom(e.target.value)} />
        </label>
        <button type="submit" className="button small" data-testid="dnd-custom-set" disabled={settings === null || !custom}>
          {t('notifications.dndSet')}
        </button>
        {dndOn && (
          <button type="button" className="button small" data-testid="dnd-off" onClick={() => void dnd(null)}>
            {t('notifications.dndTurnOff')}
          </button>
        )}
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
