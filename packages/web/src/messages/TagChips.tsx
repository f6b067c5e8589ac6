import type { Message } from '@parley/protocol';
import { useUi } from '../app/ui-context';
import { useT } from '../i18n/i18n';
import { useChat } from '../chat/context';
import { searchScope } from '../search/scope';

/** A message's tags as chips; each finds the conversation's messages with that tag. */
export function TagChips({ msg }: { msg: Message }) {
  const t = useT();
  const ui = useUi();
  const scope = useChat((s) => searchScope(s.conversations[msg.conv_id], s.users));
  if (msg.tags.length === 0) return null;
  return (
    <div className="tag-chips" data-testid="message-tags">
      {msg.tags.map((tag) => (
        <button key={tag} type="button" className="tag-chip" title={t('tags.find', { tag })} onClick={() => ui.openSearch(`tag:${tag} ${scope ?? ''}`)}>
          #{tag}
        </button>
      ))}
    </div>
  );
}
