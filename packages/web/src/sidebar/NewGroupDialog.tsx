import { useState, type FormEvent } from 'react';
import type { User } from '@parley/protocol';
import { useStore } from '../chat/context';
import { convPath, navigate } from '../app/router';
import { useT } from '../i18n/i18n';
import { Dialog, DialogButtons, DialogError } from '../ui/Dialog';
import { useDialogAction } from '../ui/useDialogAction';
import { UserPicker } from './UserPicker';

export function NewGroupDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const store = useStore();
  const [picked, setPicked] = useState<User[]>([]);
  const [name, setName] = useState('');
  const { busy, error, setError, run } = useDialogAction();

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (busy) return;
    if (picked.length === 0) {
      setError(t('newGroup.needMembers'));
      return;
    }
    await run(async () => {
      const conv = await store.createConversation({ kind: 'group', member_ids: picked.map((u) => u.id), ...(name.trim() ? { name: name.trim() } : {}) });
      onClose();
      navigate(convPath(conv.id));
    });
  }

  return (
    <Dialog
      title={t('newGroup.title')}
      onClose={onClose}
      footer={<DialogButtons onCancel={onClose} label={t('dialog.create')} testId="dialog-submit" disabled={busy} onConfirm={() => void submit()} />}
    >
      <form onSubmit={submit}>
        <label className="field">
          <span>{t('newGroup.name')}</span>
          <input className="input" value={name} maxLength={80} onChange={(e) => setName(e.target.value)} />
        </label>
      </form>
      <UserPicker
        autoFocus={false}
        selected={picked}
        onPick={(u) => setPicked((p) => (p.some((x) => x.id === u.id) ? p : [...p, u]))}
        onRemove={(u) => setPicked((p) => p.filter((x) => x.id !== u.id))}
      />
      <DialogError error={error} />
    </Dialog>
  );
}
