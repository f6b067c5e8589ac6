import { useRef, useState } from 'react';
import { defaultNotifyLevel, type Conversation, type NotifyLevel } from '@parley/protocol';
import { useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { Popover } from '../messages/Popover';
import { toast } from '../ui/toast';
import { IconBell, IconBellOff } from '../ui/icons';

const LEVELS: readonly NotifyLevel[] = ['all', 'mentions', 'nothing'];

/**
 * The conversation's notification level for me (all messages, mentions only, nothing), in the
 * header. Shown at once and kept if the server agrees; my other devices follow through the
 * server's `conversation.muted` event.
 */
export function NotifyLevelButton({ conv }: { conv: Conversation }) {
  const t = useT();
  const store = useStore();
  const anchor = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const [wanted, setWanted] = useState<NotifyLevel | null>(null);
  if (!conv.membership || conv.membership.left_seq !== null) return null;
  // A conversation cached by an older version has no level yet: the kind's default until the server answers.
  const level = wanted ?? conv.membership.notify ?? defaultNotifyLevel(conv.kind);
  // Crossed out when I chose to hear less (muted, as the sidebar shows it), not for a channel's default.
  const quiet = wanted ? wanted !== 'all' : conv.membership.muted;

  function choose(next: NotifyLevel) {
    setOpen(false);
    anchor.current?.focus();
    if (next === level) return;
    setWanted(next);
    store
      .setNotifyLevel(conv.id, next)
      .catch((e: unknown) => toast(describeError(e, t)))
      .finally(() => setWanted(null));
  }

  const label = `${t('notifications.level.open')}: ${t(`notifications.level.${level}`)}`;
  return (
    <>
      <button
        ref={anchor}
        type="button"
        className="icon-button"
        data-testid="notify-level-button"
        data-level={level}
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        {quiet ? <IconBellOff /> : <IconBell />}
      </button>
      {open && (
        <Popover anchor={anchor.current} label={t('notifications.level.open')} role="menu" testId="notify-level-menu" onClose={() => setOpen(false)}>
          <p className="popover-title muted small" aria-hidden="true">
            {t('notifications.level.title')}
          </p>
          {LEVELS.map((l) => (
            <button key={l} type="button" role="menuitemradio" aria-checked={l === level} className="menu-item" data-testid="notify-level-option" data-level={l} onClick={() => choose(l)}>
              <span className="menu-check" aria-hidden="true">
                {l === level ? '✓' : ''}
              </span>
              {t(`notifications.level.${l}`)}
            </button>
          ))}
        </Popover>
      )}
    </>
  );
}
