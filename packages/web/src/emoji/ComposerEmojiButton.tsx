import { useRef, useState } from 'react';
import { useT } from '../i18n/i18n';
import { IconSmile } from '../ui/icons';
import { EmojiPicker } from '../messages/EmojiPicker';

/** The composer's emoji button: opens the picker; the pick goes in at the caret (see Composer). */
export function ComposerEmojiButton({ onPick, disabled, testId }: { onPick: (emoji: string) => void; disabled?: boolean; testId: string }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button
        ref={button}
        type="button"
        className="icon-button composer-emoji-button"
        data-testid={testId}
        aria-label={t('emoji.insert')}
        title={t('emoji.insert')}
        aria-haspopup="dialog"
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
      >
        <IconSmile />
      </button>
      {open && <EmojiPicker anchor={button.current} label={t('emoji.insert')} onClose={() => setOpen(false)} onPick={onPick} />}
    </>
  );
}
