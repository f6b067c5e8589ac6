import { useId, useMemo, useState } from 'react';
import { useChat } from '../chat/context';
import { conversationName } from '../chat/names';
import { convPath, navigate } from '../app/router';
import { useT } from '../i18n/i18n';
import { Dialog } from '../ui/Dialog';
import { IconHash, IconLock, IconUsers } from '../ui/icons';
import { PresenceDot } from './PresenceDot';

/** Scores a name against the query: prefix beats word start beats substring beats subsequence. */
function score(name: string, q: string): number {
  if (!q) return 1;
  const n = name.toLowerCase();
  if (n.startsWith(q)) return 4;
  if (n.split(/[\s,_-]+/).some((w) => w.startsWith(q))) return 3;
  if (n.includes(q)) return 2;
  let i = 0;
  for (const ch of n) if (ch === q[i]) i++;
  return i === q.length ? 1 : 0;
}

export function QuickSwitcher({ onClose }: { onClose: () => void }) {
  const t = useT();
  const conversations = useChat((s) => s.conversations);
  const users = useChat((s) => s.users);
  const me = useChat((s) => s.me.id);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const listId = useId();

  const results = useMemo(() => {
    const q = query.trim().toLowerCase().replace(/^[#@]/, '');
    return Object.values(conversations)
      .filter((c) => c.membership && c.membership.left_seq === null)
      .map((c) => {
        const name = conversationName(c, users, me);
        const extra = c.kind === 'dm' && c.dm_user_id ? (users[c.dm_user_id]?.username ?? '') : '';
        return { c, name, s: Math.max(score(name, q), score(extra, q)) };
      })
      .filter((r) => r.s > 0)
      .sort((a, b) => b.s - a.s || b.c.unread_count - a.c.unread_count || (b.c.last_message?.created_at ?? '').localeCompare(a.c.last_message?.created_at ?? ''))
      .slice(0, 30);
  }, [conversations, users, me, query]);

  const open = (id: string) => {
    onClose();
    navigate(convPath(id));
  };

  return (
    <Dialog title={t('switcher.title')} onClose={onClose} hideTitle className="switcher">
      <div data-testid="quick-switcher">
        <input
          className="input big"
          data-testid="quick-switcher-input"
          data-autofocus=""
          placeholder={t('switcher.placeholder')}
          aria-label={t('switcher.placeholder')}
          role="combobox"
          aria-expanded="true"
          aria-controls={listId}
          aria-activedescendant={results[active] ? `${listId}-${active}` : undefined}
          autoComplete="off"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((a) => Math.min(a + 1, results.length - 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => Math.max(a - 1, 0));
            } else if (e.key === 'Enter' && results[active]) {
              e.preventDefault();
              open(results[active].c.id);
            }
          }}
        />
        <ul className="option-list" id={listId} role="listbox" aria-label={t('switcher.title')}>
          {results.map(({ c, name }, i) => (
            <li
              key={c.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={`option ${i === active ? 'active' : ''}`}
              data-testid="quick-switcher-option"
              data-conv-id={c.id}
              onMouseEnter={() => setActive(i)}
              onClick={() => open(c.id)}
            >
              <span className="conv-icon" aria-hidden="true">
                {c.kind === 'dm' ? <PresenceDot userId={c.dm_user_id} /> : c.kind === 'group' ? <IconUsers /> : c.visibility === 'private' ? <IconLock /> : <IconHash />}
              </span>
              <span className="option-main">{name}</span>
              {c.unread_count > 0 && <span className="badge">{c.unread_count}</span>}
            </li>
          ))}
          {results.length === 0 && <li className="muted small-pad">{t('switcher.empty')}</li>}
        </ul>
      </div>
    </Dialog>
  );
}
