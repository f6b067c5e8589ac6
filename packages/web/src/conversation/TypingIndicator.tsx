import { useChat } from '../chat/context';
import { userLabel } from '../chat/names';
import { useT } from '../i18n/i18n';

/** "alice is typing…" for the main list (threadRootId null) or one thread. */
export function TypingIndicator({ convId, threadRootId }: { convId: string; threadRootId: string | null }) {
  const t = useT();
  const typing = useChat((s) => s.typing[convId]);
  const users = useChat((s) => s.users);
  const now = Date.now();
  const names = Object.entries(typing ?? {})
    .filter(([, v]) => v.until > now && (v.thread_root_id ?? null) === threadRootId)
    .map(([id]) => userLabel(users[id], '…'));
  const text = names.length === 0 ? '' : names.length === 1 ? t('typing.one', { a: names[0]! }) : names.length === 2 ? t('typing.two', { a: names[0]!, b: names[1]! }) : t('typing.many');
  // The live region stays mounted so screen readers announce changes; the visible line only while someone types.
  return (
    <div className="typing-line" aria-live="polite">
      {text && (
        <span className="typing-indicator" data-testid="typing-indicator">
          <span className="dots" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          {text}
        </span>
      )}
    </div>
  );
}
