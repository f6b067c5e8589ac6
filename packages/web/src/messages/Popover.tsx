import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

interface Props {
  anchor: HTMLElement | null;
  onClose: () => void;
  children: ReactNode;
  label: string;
  role?: 'menu' | 'dialog';
  testId?: string;
}

/**
 * A floating panel next to its anchor, rendered at the body so the virtualised list's scroll
 * box cannot clip it. Escape or a click outside closes it and returns focus to the anchor.
 */
export function Popover({ anchor, onClose, children, label, role = 'dialog', testId }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState<{ top: number; left: number } | null>(null);

  useLayoutEffect(() => {
    if (!anchor || !ref.current) return;
    const a = anchor.getBoundingClientRect();
    const box = ref.current.getBoundingClientRect();
    const margin = 8;
    let top = a.bottom + 4;
    if (top + box.height > window.innerHeight - margin) top = Math.max(margin, a.top - box.height - 4);
    let left = a.right - box.width;
    left = Math.min(Math.max(margin, left), window.innerWidth - box.width - margin);
    setPos({ top, left });
  }, [anchor]);

  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>('button, [tabindex="0"]');
    first?.focus();
    const onDown = (e: MouseEvent) => {
      if (ref.current?.contains(e.target as Node) || anchor?.contains(e.target as Node)) return;
      onClose();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [anchor, onClose]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
      anchor?.focus();
      return;
    }
    if (!['ArrowDown', 'ArrowUp', 'ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key) || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>('button:not([disabled])')];
    const i = items.indexOf(document.activeElement as HTMLElement);
    const forward = e.key === 'ArrowDown' || e.key === 'ArrowRight';
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? items.length - 1 : (i + (forward ? 1 : -1) + items.length) % items.length;
    items[next]?.focus();
    e.preventDefault();
  };

  return createPortal(
    <div
      ref={ref}
      className="popover"
      role={role}
      aria-label={label}
      data-testid={testId}
      style={pos ? { top: pos.top, left: pos.left } : { visibility: 'hidden', top: 0, left: 0 }}
      onKeyDown={onKeyDown}
    >
      {children}
    </div>,
    document.body,
  );
}
