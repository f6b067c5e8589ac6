import { useMemo, useState, type FormEvent } from 'react';
import type { UpdateProfileBody } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { useT, type Translate } from '../i18n/i18n';
import { fullTime } from '../messages/format';
import { AvatarEditor } from '../profile/AvatarEditor';
import { browserTimeZone, EXPIRY_CHOICES, expiryFor, shownStatus, timeZones, type ExpiryChoice } from '../profile/status';
import { useAction } from '../ui/useAction';
import '../profile/profile.css';

/** A few statuses people set most; each fills the text when it is empty. */
const EMOJI = [
  ['📅', 'meeting'],
  ['🍽️', 'lunch'],
  ['🚗', 'commuting'],
  ['🤒', 'sick'],
  ['🌴', 'holiday'],
  ['🏠', 'remote'],
  ['🎧', 'focus'],
] as const;

const emojiName = (t: Translate, name: (typeof EMOJI)[number][1]) => t(`profile.emoji.${name}`);

/**
 * Settings › Profile: picture, display name, status (an emoji, text and when it clears) and time
 * zone (this browser's by default, any IANA zone from a searchable list). Saving sends only what
 * changed; the status is sent whole when any part of it changed, so a new status replaces the old
 * one with its own expiry.
 */
export function ProfileSection() {
  const t = useT();
  const store = useStore();
  const me = useChat((s) => s.me);
  const current = shownStatus(me);
  const zones = useMemo(() => timeZones(), []);
  const [name, setName] = useState(me.display_name);
  const [text, setText] = useState(current?.text ?? '');
  const [emoji, setEmoji] = useState<string | null>(current?.emoji ?? null);
  const [expiry, setExpiry] = useState<ExpiryChoice>('never');
  const [statusTouched, setStatusTouched] = useState(false);
  const [zone, setZone] = useState(me.time_zone ?? browserTimeZone());
  const [saved, setSaved] = useState(false);
  const { busy, error, setError, act } = useAction();

  const touch = () => {
    setStatusTouched(true);
    setSaved(false);
  };

  function pickEmoji(value: string | null, label: string | null) {
    setEmoji(value);
    if (value && label && text.trim() === '') setText(label);
    touch();
  }

  function save(e: FormEvent) {
    e.preventDefault();
    const patch: UpdateProfileBody = {};
    if (name.trim() && name !== me.display_name) patch.display_name = name.trim();
    if (statusTouched) {
      const hasStatus = text.trim() !== '' || emoji !== null;
      patch.status_text = text.trim() || null;
      patch.status_emoji = emoji;
      patch.status_expires_at = hasStatus ? expiryFor(expiry) : null;
    }
    const z = zone.trim();
    if (z !== (me.time_zone ?? '')) {
      if (z && !zones.includes(z)) return setError(t('profile.timeZoneUnknown', { zone: z }));
      patch.time_zone = z || null;
    }
    void act(async () => {
      if (Object.keys(patch).length > 0) await store.updateMe((c) => c.updateProfile(patch));
      setStatusTouched(false);
      setSaved(true);
    });
  }

  function clearStatus() {
    setText('');
    setEmoji(null);
    setExpiry('never');
    setSaved(false);
    void act(async () => {
      await store.updateMe((c) => c.updateProfile({ status_text: null, status_emoji: null }));
      setStatusTouched(false);
    });
  }

  return (
    <section className="settings-section profile-section" data-testid="profile-section" aria-labelledby="profile-title">
      <h3 id="profile-title">{t('profile.title')}</h3>
      <AvatarEditor />
      <form className="profile-form" onSubmit={save}>
        <label className="profile-field">
          <span>{t('profile.displayName')}</span>
          <input
            className="input"
            data-testid="profile-name"
            value={name}
            maxLength={64}
            required
            onChange={(e) => {
              setName(e.target.value);
              setSaved(false);
            }}
          />
        </label>
        <fieldset className="profile-status">
          <legend>{t('profile.status')}</legend>
          <div className="status-emoji-choice" role="group" aria-label={t('profile.statusEmoji')}>
            <button type="button" className="emoji-choice" aria-pressed={emoji === null} onClick={() => pickEmoji(null, null)} title={t('profile.emoji.none')} aria-label={t('profile.emoji.none')}>
              ∅
            </button>
            {EMOJI.map(([e, n]) => (
              <button
                key={e}
                type="button"
                className="emoji-choice"
                aria-pressed={emoji === e}
                data-testid={`status-emoji-${n}`}
                title={emojiName(t, n)}
                aria-label={emojiName(t, n)}
                onClick={() => pickEmoji(e, emojiName(t, n))}
              >
                {e}
              </button>
            ))}
          </div>
          <label className="profile-field">
            <span>{t('profile.statusText')}</span>
            <input
              className="input"
              data-testid="profile-status"
              value={text}
              maxLength={140}
              placeholder={t('profile.statusPlaceholder')}
              onChange={(e) => {
                setText(e.target.value);
                touch();
              }}
            />
          </label>
          <label className="profile-field">
            <span>{t('profile.expires')}</span>
            <select
              className="input"
              data-testid="profile-expiry"
              value={expiry}
              onChange={(e) => {
                setExpiry(e.target.value as ExpiryChoice);
                touch();
              }}
            >
              {EXPIRY_CHOICES.map((c) => (
                <option key={c} value={c}>
                  {t(`profile.expires.${c}`)}
                </option>
              ))}
            </select>
          </label>
          {current && me.status_expires_at && !statusTouched && (
            <p className="muted small" data-testid="profile-status-until">
              {t('profile.statusUntil', { time: fullTime(me.status_expires_at) })}
            </p>
          )}
          {current && (
            <button type="button" className="button small" data-testid="profile-clear-status" disabled={busy} onClick={clearStatus}>
              {t('profile.clearStatus')}
            </button>
          )}
        </fieldset>
        <label className="profile-field">
          <span>{t('profile.timeZone')}</span>
          <input
            className="input"
            list="profile-time-zones"
            data-testid="profile-tz"
            value={zone}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => {
              setZone(e.target.value);
              setSaved(false);
            }}
          />
          <datalist id="profile-time-zones">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </label>
        <p className="muted small">{t('profile.timeZoneHint', { zone: browserTimeZone() })}</p>
        <div className="profile-actions">
          <button type="submit" className="button primary" data-testid="profile-save" disabled={busy}>
            {t('profile.save')}
          </button>
          {saved && (
            <span className="muted small" role="status" data-testid="profile-saved">
              {t('profile.saved')}
            </span>
          )}
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
