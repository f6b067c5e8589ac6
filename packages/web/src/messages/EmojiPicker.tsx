import { lazy, Suspense, useEffect } from 'react';
import { useT } from '../i18n/i18n';
import { loadEmojiData } from '../emoji/load';

// The picker and its data are chunks of their own, fetched (together) on first open: the
// initial JavaScript stays within its budget whatever the size of the emoji set.
const Panel = lazy(() => import('../emoji/EmojiPickerPanel'));

interface Props {
  anchor: HTMLElement | null;
  onPick: (emoji: string) => void;
  onClose: () => void;
  /** Its accessible name; reactions by default. */
  label?: string;
}

/** The full emoji picker in a popover by `anchor`: search, categories, skin tones, recently used. */
export function EmojiPicker({ anchor, onPick, onClose, label }: Props) {
  const t = useT();
  useEffect(() => {
    loadEmojiData().catch(() => undefined);
  }, []);
  return (
    <Suspense fallback={null}>
      <Panel anchor={anchor} onPick={onPick} onClose={onClose} label={label ?? t('emoji.title')} />
    </Suspense>
  );
}
