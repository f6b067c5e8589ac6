import { useChat } from '../chat/context';
import { useT } from '../i18n/i18n';

export function PresenceDot({ userId }: { userId: string | null }) {
  const t = useT();
  const status = useChat((s) => (userId ? s.presence[userId]?.status : undefined)) ?? 'offline';
  return <span className={`presence-dot ${status}`} data-testid="presence-dot" data-status={status} title={t(`presence.${status}`)} role="img" aria-label={t(`presence.${status}`)} />;
}
