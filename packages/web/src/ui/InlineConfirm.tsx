import { useT } from '../i18n/i18n';

/**
 * The second step of a destructive button, in place of the row's buttons: the question, the
 * action again (danger) and Cancel. One shape for revoking hooks and removing commands.
 */
export function InlineConfirm({
  question,
  action,
  busy,
  testId,
  onConfirm,
  onCancel,
}: {
  question: string;
  action: string;
  busy: boolean;
  testId: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const t = useT();
  return (
    <>
      <span className="small">{question}</span>
      <button type="button" className="button danger" disabled={busy} data-testid={testId} onClick={onConfirm}>
        {action}
      </button>
      <button type="button" className="button" onClick={onCancel}>
        {t('dialog.cancel')}
      </button>
    </>
  );
}
