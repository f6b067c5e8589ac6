import { useT } from '../i18n/i18n';
import { IconPaperclip } from '../ui/icons';

/** Shown over a conversation or thread while files are dragged above it. */
export function DropOverlay({ target }: { target: string }) {
  const t = useT();
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
      <div className="drop-overlay-card">
        <IconPaperclip />
        <span>{t('files.dropHere')}</span>
        <span className="muted">{target}</span>
      </div>
    </div>
  );
}
