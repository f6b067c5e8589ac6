import { useState } from 'react';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';

/**
 * A dialog's one action (create, recall…): ignored while it runs, its failure shown in the
 * dialog. On success the dialog closes, so it stays busy.
 */
export function useDialogAction(): { busy: boolean; error: string | null; setError: (e: string | null) => void; run: (action: () => Promise<void>) => Promise<void> } {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function run(action: () => Promise<void>) {
    if (busy) return;
    setBusy(true);
    try {
      await action();
    } catch (e) {
      setError(describeError(e, t));
      setBusy(false);
    }
  }
  return { busy, error, setError, run };
}
