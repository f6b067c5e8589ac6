import { useState } from 'react';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';

/**
 * Actions of a panel that stays open (create, rotate, revoke…): one at a time, the failure shown
 * in the panel, ready for the next one afterwards. (A dialog that closes on success uses
 * useDialogAction.)
 */
export function useAction(describe: typeof describeError = describeError): {
  busy: boolean;
  error: string | null;
  setError: (e: string | null) => void;
  act: (action: () => Promise<void>) => Promise<void>;
} {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function act(action: () => Promise<void>) {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(describe(e, t));
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, act };
}
