import type { Message } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { userLabel } from '../chat/names';
import { useT } from '../i18n/i18n';

export function Reactions({ msg }: { msg: Message }) {
  const t = useT();
  const store = useStore();
  const me = useChat((s) => s.me.id);
  const users = useChat((s) => s.users);
  if (msg.reactions.length === 0) return null;
  return (
    <div className="reactions">
      {msg.reactions.map((r) => {
        const mine = r.user_ids.includes(me);
        const names = r.user_ids.map((id) => userLabel(users[id], '…')).join(', ');
        // The visible emoji and count lead the accessible name, so what is seen is what is announced.
        const label = t('message.reactedBy', { emoji: r.emoji, count: String(r.count), names });
        return (
          <button
            key={r.emoji}
            type="button"
            className={`reaction ${mine ? 'mine' : ''}`}
            data-testid="reaction"
            data-emoji={r.emoji}
            data-count={r.count}
            aria-pressed={mine}
            aria-label={label}
            title={label}
            onClick={() => store.toggleReactionOrSay(msg, r.emoji)}
          >
            <span className="reaction-emoji">{r.emoji}</span>
            <span className="reaction-count">{r.count}</span>
          </button>
        );
      })}
    </div>
  );
}
