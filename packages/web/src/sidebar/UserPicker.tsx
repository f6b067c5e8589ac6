import { useEffect, useId, useState } from 'react';
import type { User } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { userLabel } from '../chat/names';
import { warnFailed } from '../app/report';
import { useT } from '../i18n/i18n';
import { Avatar } from '../ui/Avatar';
import { IconClose } from '../ui/icons';

interface Props {
  /** Called when a person is picked (click or Enter). */
  onPick: (u: User) => void;
  selected?: readonly User[];
  onRemove?: (u: User) => void;
  autoFocus?: boolean;
}

/** Directory search (GET /users?query=) as a combobox: type, move with the arrows, Enter picks. */
export function UserPicker({ onPick, selected = [], onRemove, autoFocus = true }: Props) {
  const t = useT();
  const store = useStore();
  const me = useChat((s) => s.me.id);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<User[]>([]);
  const [active, setActive] = useState(0);
  const listId = useId();
  const chosen = new Set(selected.map((u) => u.id));

  useEffect(() => {
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      store
        .searchUsers(query.trim(), ctrl.signal)
        .then((users) => {
          setResults(users.filter((u) => u.id !== me));
          setActive(0);
        })
        .catch((err: unknown) => {
          // Typing on cancels the previous search on purpose; any other failure is worth a note.
          if (!ctrl.signal.aborted) warnFailed('searching users')(err);
        });
    }, 120);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [query, store, me]);

  const visible = results.filter((u) => !chosen.has(u.id));
  const optionId = (i: number) => `${listId}-${i}`;

  return (
    <div className="user-picker">
      {selected.length > 0 && (
        <ul className="chips" aria-label={t('dialog.selected')}>
          {selected.map((u) => (
            <li key={u.id} className="chip">
              {userLabel(u)}
              {onRemove && (
                <button type="button" className="chip-remove" onClick={() => onRemove(u)} aria-label={t('dialog.remove', { name: userLabel(u) })}>
                  <IconClose />
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <input
        type="search"
        className="input"
        data-testid="user-search"
        data-autofocus={autoFocus ? '' : undefined}
        placeholder={t('dialog.searchUsers')}
        aria-label={t('dialog.searchUsers')}
        role="combobox"
        aria-expanded={visible.length > 0}
        aria-controls={listId}
        aria-activedescendant={visible[active] ? optionId(active) : undefined}
        autoComplete="off"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, visible.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter' && visible[active]) {
            e.preventDefault();
            onPick(visible[active]);
          }
        }}
      />
      <ul className="option-list" id={listId} role="listbox" aria-label={t('dialog.searchUsers')}>
        {visible.map((u, i) => (
          <li
            key={u.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            className={`option ${i === active ? 'active' : ''}`}
            data-testid="user-option"
            data-username={u.username}
            onMouseEnter={() => setActive(i)}
            onClick={() => onPick(u)}
          >
            <Avatar user={u} id={u.id} size={24} />
            <span className="option-main">{userLabel(u)}</span>
            <span className="muted">@{u.username}</span>
          </li>
        ))}
        {visible.length === 0 && <li className="muted small-pad">{t('dialog.noUsers')}</li>}
      </ul>
    </div>
  );
}
