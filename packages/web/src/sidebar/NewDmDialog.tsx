import type { User } from '@parley/protocol';
import { useStore } from '../chat/context';
import { convPath, navigate } from '../app/router';
import { useT } from '../i18n/i18n';
import { Dialog, DialogError } from '../ui/Dialog';
import { useDialogAction } from '../ui/useDialogAction';
import { UserPicker } from './UserPicker';

/** Picking a person opens the DM at once (the server returns the existing one if there is one). */
export function NewDmDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const store = useStore();
  const { error, run } = useDialogAction();

  function pick(u: User) {
    return run(async () => {
      store.rememberUsers([u]);
      const conv = await store.createConversation({ kind: 'dm', user_id: u.id });
      onClose();
      navigate(convPath(conv.id));
    });
  }

  return (
    <Dialog title={t('newDm.title')} onClose={onClose}>
      <UserPicker onPick={(u) => void pick(u)} />
      <DialogError error={error} />
    </Dialog>
  );
}
