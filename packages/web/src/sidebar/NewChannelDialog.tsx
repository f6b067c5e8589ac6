import { useState, type FormEvent } from 'react';
import type { User, Visibility } from '@parley/protocol';
import { useStore } from '../chat/context';
import { convPath, navigate } from '../app/router';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { Dialog } from '../ui/Dialog';
import { UserPicker } from './UserPicker';

export function NewChannelDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const store = useStore();
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [picked, setPicked] = useState<User[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    const clean = name.trim().replace(/^#/, '');
    if (busy || !clean) return;
    setBusy(true);
    try {
      const conv = await store.createConversation({ kind: 'channel', name: clean, visibility, ...(topic.trim() ? { topic: topic.trim() } : {}), ...(picked.length ? { member_ids: picked.map((u) => u.id) } : {}) });
      onClose();
      navigate(convPath(conv.id));
    } catch (err) {
      setError(describeError(err, t));
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={t('newChannel.title')}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            {t('dialog.cancel')}
          </button>
          <button type="button" className="button primary" data-testid="dialog-submit" disabled={busy || !name.trim()} onClick={() => void submit()}>
            {t('dialog.create')}
          </button>
        </>
      }
    >
      <form onSubmit={submit} className="stack">
        <label className="field">
          <span>{t('newChannel.name')}</span>
          <input className="input" data-testid="channel-name" data-autofocus="" required maxLength={80} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('newChannel.topic')}</span>
          <input className="input" maxLength={250} value={topic} onChange={(e) => setTopic(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('newChannel.visibility')}</span>
          <select className="input" data-testid="channel-visibility" value={visibility} onChange={(e) => setVisibility(e.target.value === 'private' ? 'private' : 'public')}>
            <option value="public">{t('newChannel.public')}</option>
            <option value="private">{t('newChannel.private')}</option>
          </select>
        </label>
        <button type="submit" hidden />
      </form>
      <div className="field">
        <span>{t('newChannel.members')}</span>
        <UserPicker autoFocus={false} selected={picked} onPick={(u) => setPicked((p) => (p.some((x) => x.id === u.id) ? p : [...p, u]))} onRemove={(u) => setPicked((p) => p.filter((x) => x.id !== u.id))} />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
