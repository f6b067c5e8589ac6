import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useT } from '../i18n/i18n';
import { IconClose } from './icons';

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Extra class for sizing (e.g. a wide settings panel). */
  className?: string;
  /** Hide the visible title (the switcher has its own input) but keep it for screen readers. */
  hideTitle?: boolean;
  footer?: ReactNode;
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal: focus moves in and is trapped, Escape closes, and focus returns to whatever opened it.
 */
export function Dialog({ title, onClose, children, className, hideTitle, footer }: Props) {
  const t = useT();
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const el = ref.current;
    if (el && !el.contains(document.activeElement)) {
      const first = el.querySelector<HTMLElement>('[data-autofocus]') ?? el.querySelector<HTMLElement>('input, select, textarea') ?? el.querySelector<HTMLElement>(FOCUSABLE);
      (first ?? el).focus();
    }
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      e.preventDefault();
      closeRef.current();
      return;
    }
    if (e.key !== 'Tab' || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((n) => n.offsetParent !== null);
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={ref} className={`dialog ${className ?? ''}`} role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid="dialog" tabIndex={-1} onKeyDown={onKeyDown}>
        <header className={`dialog-header ${hideTitle ? 'visually-hidden' : ''}`}>
          <h2 id={titleId}>{title}</h2>
          {!hideTitle && (
            <button type="button" className="icon-button" onClick={onClose} aria-label={t('dialog.close')}>
              <IconClose />
            </button>
          )}
        </header>
        <div className="dialog-body">{children}</div>
        {footer && <footer className="dialog-footer">{footer}</footer>}
      </div>
    </div>,
    document.body,
  );
}

/** Cancel and the dialog's action, for `footer`. */
export function DialogButtons({
  onCancel,
  label,
  onConfirm,
  disabled,
  danger,
  testId,
  autoFocus,
}: {
  onCancel: () => void;
  label: string;
  onConfirm: () => void;
  disabled: boolean;
  danger?: boolean;
  testId: string;
  autoFocus?: boolean;
}) {
  const t = useT();
  return (
    <>
      <button type="button" className="button" onClick={onCancel}>
        {t('dialog.cancel')}
      </button>
      <button type="button" className={danger ? 'button danger' : 'button primary'} data-testid={testId} {...(autoFocus ? { 'data-autofocus': '' } : {})} disabled={disabled} onClick={onConfirm}>
        {label}
      </button>
    </>
  );
}

/** The failure of a dialog's action, announced to screen readers. */
export function DialogError({ error }: { error: string | null }) {
  return error ? (
    <p className="error" role="alert">
      {error}
    </p>
  ) : null;
}
