import { useRef, type KeyboardEvent, type ReactNode } from 'react';

interface Props<K extends string> {
  /** The tabs, in order. */
  keys: readonly K[];
  current: K;
  onSelect: (key: K) => void;
  /** The tablist's accessible name. */
  label: string;
  /** Ties each tab to its panel: the tab is `${idBase}-${key}-tab`, its panel `${idBase}-${key}`. */
  idBase: string;
  testIdPrefix: string;
  renderLabel: (key: K) => ReactNode;
  className?: string;
  /** Receives each tab's button, e.g. to focus the current one when a panel opens. */
  tabRef?: (key: K, el: HTMLButtonElement | null) => void;
}

/**
 * A WAI-ARIA tablist with automatic activation: ← and → move to the previous or next tab and
 * select it, only the selected tab is in the tab order. The panels are the caller's, with
 * `role="tabpanel"`, the id `${idBase}-${key}` and `aria-labelledby` its tab's id.
 */
export function TabList<K extends string>({ keys, current, onSelect, label, idBase, testIdPrefix, renderLabel, className = '', tabRef }: Props<K>) {
  const refs = useRef<Partial<Record<K, HTMLButtonElement | null>>>({});

  function onKey(e: KeyboardEvent) {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = keys[(keys.indexOf(current) + step + keys.length) % keys.length]!;
    onSelect(next);
    refs.current[next]?.focus();
  }

  return (
    <div className={`tabs ${className}`.trim()} role="tablist" aria-label={label} onKeyDown={onKey}>
      {keys.map((k) => (
        <button
          key={k}
          ref={(el) => {
            refs.current[k] = el;
            tabRef?.(k, el);
          }}
          type="button"
          role="tab"
          id={`${idBase}-${k}-tab`}
          aria-controls={`${idBase}-${k}`}
          aria-selected={current === k}
          tabIndex={current === k ? 0 : -1}
          className="tab"
          data-testid={`${testIdPrefix}${k}`}
          onClick={() => onSelect(k)}
        >
          {renderLabel(k)}
        </button>
      ))}
    </div>
  );
}
