import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useT } from '../i18n/i18n';

/**
 * A secret the server shows only once (a webhook URL, an API token): read-only, focused and
 * selected as it appears so it can be copied at once, with a copy button that says when it worked.
 * `testId` names the field; the box is `${testId}-box`.
 */
export function ShownOnce({ title, value, label, testId, children }: { title: string; value: string; label: string; testId: string; children?: ReactNode }) {
  const ref = useRef<HTMLInputElement>(null);
  // A new secret takes the focus: it is ready to copy, and the panel keeps the focus (so Escape
  // still closes a dialog; the button that asked for it is disabled while it runs).
  useEffect(() => {
    ref.current?.focus();
  }, [value]);
  return (
    <div className="secret-box stack" role="status" data-testid={`${testId}-box`}>
      <strong>{title}</strong>
      <div className="secret-line">
        <input ref={ref} className="input" readOnly value={value} data-testid={testId} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton value={value} />
      </div>
      {children}
    </div>
  );
}

/** Copies `value` to the clipboard and says so until the value changes (a second secret in a ShownOnce box). */
export function CopyButton({ value }: { value: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [value]);
  return (
    <button
      type="button"
      className="button"
      onClick={() =>
        void navigator.clipboard.writeText(value).then(
          () => setCopied(true),
          () => setCopied(false),
        )
      }
    >
      {copied ? t('webhooks.copied') : t('webhooks.copy')}
    </button>
  );
}
