import { useState } from 'react';
import type { User } from '@parley/protocol';
import { useStore } from '../chat/context';
import { convPath, navigate } from '../app/router';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { Dialog } from '../ui/Dialog';
import { UserPicker } from './UserPicker';

/** Picking a person opens the DM at once (the server returns the existing one if there is one). */
export function NewDmDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const store = useStore();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function pick(u: User) {
    if (busy) return;
    setBusy(true);
    try {
      store.rememberUsers([u]);
      const conv = await store.createConversation({ kind: 'dm', user_id: u.id });
      onClose();
      navigate(convPath(conv.id));
    } catch (e) {
      setError(describeError(e, t));
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('newDm.title')} onClose={onClose}>
      <UserPicker onPick={(u) => void pick(u)} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
