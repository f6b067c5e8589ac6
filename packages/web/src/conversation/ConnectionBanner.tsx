import { useChat, useStore } from '../chat/context';
import { useT } from '../i18n/i18n';

/** Shown whenever the socket is not open or the browser says it is offline. */
export function ConnectionBanner() {
  const t = useT();
  const store = useStore();
  const connection = useChat((s) => s.connection);
  const online = useChat((s) => s.online);
  const refusal = useChat((s) => s.refusal);
  if (connection === 'open' && online) return null;
  const text = !online
    ? t('connection.offline')
    : refusal === 'too_many_connections'
      ? t('connection.tooMany')
      : connection === 'connecting' || connection === 'idle'
        ? t('connection.connecting')
        : t('connection.reconnecting');
  return (
    <div className={`offline-banner ${online ? 'reconnecting' : 'offline'}`} data-testid="offline-banner" role="status">
      <span>{text}</span>
      {online && connection === 'reconnecting' && (
        <button type="button" className="link-button" onClick={() => store.client?.reconnectNow()}>
          {t('connection.retry')}
        </button>
      )}
    </div>
  );
}
