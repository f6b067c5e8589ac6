import { useEffect } from 'react';
import type { Conversation } from '@parley/protocol';
import { convPath, navigate } from '../app/router';
import { describeError } from '../auth/errors';
import { useChat, useStore } from '../chat/context';
import { userLabel } from '../chat/names';
import { useMarks } from '../chat/use-marks';
import { useT } from '../i18n/i18n';
import { relativeTime } from '../messages/format';
import { ListedMessage } from './ListedMessage';

/**
 * A conversation's pinned messages, newest pin first: loaded when shown, then kept live (a pin or
 * unpin by anyone shows at once); picking one opens it in context. The header's pins popover and
 * the details panel both show this.
 */
export function PinnedList({ conv, onOpened }: { conv: Conversation; onOpened: () => void }) {
  const t = useT();
  const store = useStore();
  const list = useMarks((m) => m.pinsOf(conv.id));
  const users = useChat((s) => s.users);

  useEffect(() => {
    void store.marks.loadPins(conv.id);
  }, [store, conv.id]);
  useEffect(() => {
    const unknown = (list?.items ?? []).map((p) => p.pinned_by).filter((id) => !users[id]);
    if (unknown.length > 0) store.ensureUsers([...new Set(unknown)]);
  }, [list, users, store]);

  return (
    <>
      {list?.error ? (
        <p className="error">{describeError(list.error, t)}</p>
      ) : !list || (list.loading && list.items.length === 0) ? (
        <p className="muted">{t('pins.loading')}</p>
      ) : list.items.length === 0 ? (
        <p className="muted small">{t('pins.none')}</p>
      ) : (
        <ul className="marked-list">
          {list.items.map((p) => (
            <li key={p.message.id}>
              <ListedMessage
                message={p.message}
                testId="pinned-item"
                note={t('pins.by', { name: userLabel(users[p.pinned_by]), time: relativeTime(p.pinned_at) })}
                onOpen={() => {
                  onOpened();
                  navigate(convPath(p.message.conv_id, p.message.id));
                }}
              />
            </li>
          ))}
        </ul>
      )}
      {list?.hasMore && (
        <button type="button" className="link-button" data-testid="pins-older" disabled={list.loading} onClick={() => void store.marks.loadOlderPins(conv.id)}>
          {t('pins.older')}
        </button>
      )}
    </>
  );
}
