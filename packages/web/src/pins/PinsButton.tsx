import { useRef, useState } from 'react';
import type { Conversation } from '@parley/protocol';
import { useT } from '../i18n/i18n';
import { Popover } from '../messages/Popover';
import { IconPin } from '../ui/icons';
import { PinnedList } from './PinnedList';

/** The conversation's pinned messages from a header button (the list itself: PinnedList). */
export function PinsButton({ conv }: { conv: Conversation }) {
  const t = useT();
  const anchor = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);

  return (
    <>
      <button
        ref={anchor}
        type="button"
        className="icon-button wide-only"
        data-testid="open-pins"
        aria-label={t('pins.open')}
        title={t('pins.open')}
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <IconPin />
      </button>
      {open && (
        <Popover anchor={anchor.current} label={t('pins.title')} testId="pins-popover" onClose={() => setOpen(false)}>
          <div className="marked-popover">
            <h2 className="popover-title">{t('pins.title')}</h2>
            <PinnedList conv={conv} onOpened={() => setOpen(false)} />
          </div>
        </Popover>
      )}
    </>
  );
}
