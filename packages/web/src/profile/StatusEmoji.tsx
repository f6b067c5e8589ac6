import type { User } from '@parley/protocol';
import { shownStatus } from './status';

/** A person's status emoji beside their name (a DM in the sidebar), its text as the tooltip; nothing without one. */
export function StatusEmoji({ user }: { user: User | undefined }) {
  const status = shownStatus(user);
  if (!status?.emoji) return null;
  return (
    <span className="sidebar-status-emoji status-emoji" aria-hidden="true" title={status.text ?? undefined} data-testid="status-emoji">
      {status.emoji}
    </span>
  );
}
