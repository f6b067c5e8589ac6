import { useT } from '../i18n/i18n';
import { QUICK_REACTIONS } from '../markdown/emoji';
import { Popover } from './Popover';

export function EmojiPicker({ anchor, onPick, onClose }: { anchor: HTMLElement | null; onPick: (emoji: string) => void; onClose: () => void }) {
  const t = useT();
  return (
    <Popover anchor={anchor} onClose={onClose} label={t('emoji.title')} testId="emoji-picker">
      <div className="emoji-grid">
        {QUICK_REACTIONS.map((e) => (
          <button
            key={e}
            type="button"
            className="emoji-option"
            data-testid="emoji-option"
            data-emoji={e}
            aria-label={e}
            onClick={() => {
              onPick(e);
              onClose();
            }}
          >
            {e}
          </button>
        ))}
      </div>
    </Popover>
  );
}
