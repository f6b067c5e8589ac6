import { useEffect, useState } from 'react';
import { useChat, useStore } from '../chat/context';
import { userLabel } from '../chat/names';
import { convPath, navigate } from '../app/router';
import { describeError } from '../auth/errors';
import { useLanguage, useT } from '../i18n/i18n';
import { Popover } from '../messages/Popover';
import { Avatar } from '../ui/Avatar';
import { localTimeIn, shownStatus } from './status';
import './profile.css';

/**
 * A person's card, opened from their name or avatar: picture, names, status, presence, their
 * local time and workspace role, and "Message" to open the DM with them. Presence is subscribed
 * when the card opens; the local time ticks each minute while it is open.
 */
export function ProfileCard({ userId, anchor, onClose }: { userId: string; anchor: HTMLElement | null; onClose: () => void }) {
  const t = useT();
  const lang = useLanguage();
  const store = useStore();
  const user = useChat((s) => s.users[userId]);
  const me = useChat((s) => s.me.id);
  const presence = useChat((s) => s.presence[userId]?.status) ?? 'offline';
  const [now, setNow] = useState(() => new Date());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    store.ensureUsers([userId]);
    store.watchPresence([userId]);
  }, [store, userId]);
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);

  const status = shownStatus(user, now.getTime());
  const local = localTimeIn(user?.time_zone ?? null, lang, now);
  const name = userLabel(user);

  async function message() {
    setBusy(true);
    try {
      const conv = await store.createConversation({ kind: 'dm', user_id: userId });
      onClose();
      navigate(convPath(conv.id));
    } catch (e) {
      setError(describeError(e, t));
      setBusy(false);
    }
  }

  return (
    <Popover anchor={anchor} onClose={onClose} label={t('profile.cardLabel', { name })} testId="profile-card">
      <div className="profile-card">
        <div className="profile-card-head">
          <Avatar user={user} id={userId} size={64} />
          <div className="profile-card-names">
            <strong className="profile-card-name" data-testid="profile-card-name">
              {name}
            </strong>
            {user && <span className="muted">@{user.username}</span>}
            <span className={`profile-card-presence ${presence}`} data-testid="profile-card-presence">
              <span className={`presence-dot ${presence}`} aria-hidden="true" />
              {t(`presence.${presence}`)}
            </span>
          </div>
        </div>
        {status && (
          <p className="profile-card-status" data-testid="profile-card-status">
            {status.emoji && <span className="status-emoji">{status.emoji}</span>} {status.text}
          </p>
        )}
        {local && (
          <p className="profile-card-line" data-testid="profile-card-time" title={user?.time_zone ?? undefined}>
            {t('profile.localTime', { time: local })}
          </p>
        )}
        {user && (
          <p className="profile-card-line muted" data-testid="profile-card-role">
            {t(`profile.role.${user.role}`)}
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {userId !== me && (
          <button type="button" className="button primary" onClick={() => void message()} disabled={busy} data-testid="profile-card-message">
            {t('profile.message')}
          </button>
        )}
      </div>
    </Popover>
  );
}
