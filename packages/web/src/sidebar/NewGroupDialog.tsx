import { useState, type FormEvent } from 'react';
import type { User } from '@parley/protocol';
import { useStore } from '../chat/context';
import { convPath, navigate } from '../app/router';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { Dialog } from '../ui/Dialog';
import { UserPicker } from './UserPicker';

export function NewGroupDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const store = useStore();
  const [picked, setPicked] = useState<User[]>([]);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (busy) return;
    if (picked.length === 0) {
      setError(t('newGroup.needMembers'));
      return;
    }
    setBusy(true);
    try {
      const conv = await store.createConversation({ kind: 'group', member_ids: picked.map((u) => u.id), ...(name.trim() ? { name: name.trim() } : {}) });
      onClose();
      navigate(convPath(conv.id));
    } catch (err) {
      setError(describeError(err, t));
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={t('newGroup.title')}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            {t('dialog.cancel')}
          </button>
          <button type="button" className="button primary" data-testid="dialog-submit" disabled={busy} onClick={() => void submit()}>
            {t('dialog.create')}
          </button>
        </>
      }
    >
      <form onSubmit={submit}>
        <label className="field">
          <span>{t('newGroup.name')}</span>
          <input className="input" value={name} maxLength={80} onChange={(e) => setName(e.target.value)} />
        </label>
      </form>
      <UserPicker autoFocus={false} selected={picked} onPick={(u) => setPicked((p) => (p.some((x) => x.id === u.id) ? p : [...p, u]))} onRemove={(u) => setPicked((p) => p.filter((x) => x.id !== u.id))} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
