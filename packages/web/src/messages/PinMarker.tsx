import { useEffect } from 'react';
import { useChat, useStore } from '../chat/context';
import { userLabel } from '../chat/names';
import { useT } from '../i18n/i18n';

/** "📌 Pinned by Alice" above a pinned message. */
export function PinMarker({ pinnedBy }: { pinnedBy: string }) {
  const t = useT();
  const store = useStore();
  const user = useChat((s) => s.users[pinnedBy]);
  useEffect(() => {
    if (!user) store.ensureUsers([pinnedBy]);
  }, [user, pinnedBy, store]);
  return (
    <div className="pin-marker muted small" data-testid="pin-marker">
      <span aria-hidden="true">📌 </span>
      {t('pins.marker', { name: userLabel(user) })}
    </div>
  );
}
