import { useEffect, useRef, useState } from 'react';
import type { Conversation, TagCount } from '@parley/protocol';
import { useStore } from '../chat/context';
import { useUi } from '../app/ui-context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { Popover } from '../messages/Popover';
import { IconTag } from '../ui/icons';

/** The conversation's tags with counts, most used first; picking one searches its messages. */
export function TagsButton({ conv, scope }: { conv: Conversation; scope: string | null }) {
  const t = useT();
  const ui = useUi();
  const store = useStore();
  const anchor = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const [tags, setTags] = useState<TagCount[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    setTags(null);
    setError(null);
    store.api.listTags(conv.id).then(
      (list) => live && setTags(list),
      (e: unknown) => live && setError(describeError(e, t)),
    );
    return () => {
      live = false;
    };
  }, [open, store, conv.id, t]);

  return (
    <>
      <button ref={anchor} type="button" className="icon-button" data-testid="open-tags" aria-label={t('tags.open')} title={t('tags.open')} aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <IconTag />
      </button>
      {open && (
        <Popover anchor={anchor.current} label={t('tags.title')} testId="tags-popover" onClose={() => setOpen(false)}>
          <div className="tags-popover">
            <h2 className="popover-title">{t('tags.title')}</h2>
            {error ? (
              <p className="error">{error}</p>
            ) : tags === null ? (
              <p className="muted">{t('tags.loading')}</p>
            ) : tags.length === 0 ? (
              <p className="muted small">{t('tags.none')}</p>
            ) : (
              <ul className="tag-counts">
                {tags.map((tc) => (
                  <li key={tc.tag}>
                    <button
                      type="button"
                      className="tag-count"
                      data-testid="tag-count"
                      onClick={() => {
                        setOpen(false);
                        ui.openSearch(`tag:${tc.tag} ${scope ?? ''}`);
                      }}
                    >
                      <span className="tag-chip">#{tc.tag}</span>
                      <span className="muted small">{tc.count === 1 ? t('tags.count1') : t('tags.count', { n: tc.count })}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </Popover>
      )}
    </>
  );
}
