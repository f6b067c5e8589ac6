import { useState } from 'react';
import type { Message } from '@parley/protocol';
import { useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { Dialog } from '../ui/Dialog';

export function RecallDialog({ msg, onClose }: { msg: Message; onClose: () => void }) {
  const t = useT();
  const store = useStore();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function confirm() {
    setBusy(true);
    try {
      await store.recall(msg.id);
      onClose();
    } catch (e) {
      setError(describeError(e, t));
      setBusy(false);
    }
  }
  return (
    <Dialog
      title={t('message.recallTitle')}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            {t('dialog.cancel')}
          </button>
          <button type="button" className="button danger" data-testid="confirm-recall" data-autofocus="" disabled={busy} onClick={() => void confirm()}>
            {t('message.recallConfirm')}
          </button>
        </>
      }
    >
      <p>{t('message.recallBody')}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
