import type { Message } from '@parley/protocol';
import { useStore } from '../chat/context';
import { useT } from '../i18n/i18n';
import { Dialog, DialogButtons, DialogError } from '../ui/Dialog';
import { useDialogAction } from '../ui/useDialogAction';

export function RecallDialog({ msg, onClose }: { msg: Message; onClose: () => void }) {
  const t = useT();
  const store = useStore();
  const { busy, error, run } = useDialogAction();
  const confirm = () =>
    run(async () => {
      await store.recall(msg.id);
      onClose();
    });
  return (
    <Dialog
      title={t('message.recallTitle')}
      onClose={onClose}
      footer={<DialogButtons onCancel={onClose} label={t('message.recallConfirm')} testId="confirm-recall" danger autoFocus disabled={busy} onConfirm={() => void confirm()} />}
    >
      <p>{t('message.recallBody')}</p>
      <DialogError error={error} />
    </Dialog>
  );
}
