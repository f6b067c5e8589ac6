import { useEffect, useState } from 'react';
import { convPath, navigate } from '../app/router';
import { describeError } from '../auth/errors';
import { useChat, useStore } from '../chat/context';
import { conversationName } from '../chat/names';
import { useMarks } from '../chat/use-marks';
import { useT } from '../i18n/i18n';
import { relativeTime } from '../messages/format';
import { Dialog } from '../ui/Dialog';
import { IconBookmark } from '../ui/icons';
import { toast } from '../ui/toast';
import { ListedMessage } from './ListedMessage';

/** The sidebar's "Saved messages": my saved list, last saved first; picking one opens it in context. */
export function SavedButton() {
  const t = useT();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="switcher-button" data-testid="open-saved" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <IconBookmark />
        <span>{t('saved.open')}</span>
      </button>
      {open && <SavedDialog onClose={() => setOpen(false)} />}
    </>
  );
}

function SavedDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const store = useStore();
  const list = useMarks((m) => m.savedList());
  const conversations = useChat((s) => s.conversations);
  const users = useChat((s) => s.users);
  const me = useChat((s) => s.me.id);

  // Fetched again on each opening: a change made while this device was offline shows too.
  useEffect(() => {
    void store.marks.loadSaved(true);
  }, [store]);

  const where = (convId: string): string => {
    const c = conversations[convId];
    if (!c) return '';
    return c.kind === 'channel' ? `#${conversationName(c, users, me)}` : conversationName(c, users, me);
  };

  return (
    <Dialog title={t('saved.title')} onClose={onClose} className="saved-dialog">
      <div data-testid="saved-panel">
        {list.error ? (
          <p className="error">{describeError(list.error, t)}</p>
        ) : !list.loaded && list.items.length === 0 ? (
          <p className="muted">{t('saved.loading')}</p>
        ) : list.items.length === 0 ? (
          <p className="muted small">{t('saved.none')}</p>
        ) : (
          <ul className="marked-list">
            {list.items.map((s) => {
              const conv = where(s.message.conv_id);
              return (
                <li key={s.message.id} className="saved-entry">
                  <ListedMessage
                    message={s.message}
                    testId="saved-item"
                    note={[conv ? t('saved.in', { conv }) : '', t('saved.at', { time: relativeTime(s.saved_at) })].filter(Boolean).join(' · ')}
                    onOpen={() => {
                      onClose();
                      navigate(convPath(s.message.conv_id, s.message.id));
                    }}
                  />
                  <button
                    type="button"
                    className="link-button small"
                    data-testid="saved-remove"
                    onClick={() => {
                      store.marks.save(s.message.id, 'remove').then(
                        () => toast(t('saved.unsaved')),
                        (e: unknown) => toast(t('saved.failed', { error: describeError(e, t) })),
                      );
                    }}
                  >
                    {t('saved.unsave')}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </Dialog>
  );
}
