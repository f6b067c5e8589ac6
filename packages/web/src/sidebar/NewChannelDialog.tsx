import { useId, useState, type FormEvent } from 'react';
import type { HistoryVisibility, User, Visibility } from '@parley/protocol';
import { useStore } from '../chat/context';
import { convPath, navigate } from '../app/router';
import { useT } from '../i18n/i18n';
import { Dialog, DialogButtons, DialogError } from '../ui/Dialog';
import { useDialogAction } from '../ui/useDialogAction';
import { UserPicker } from './UserPicker';

export function NewChannelDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const store = useStore();
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [purpose, setPurpose] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [history, setHistory] = useState<HistoryVisibility>('full');
  const id = useId();
  const [picked, setPicked] = useState<User[]>([]);
  const { busy, error, run } = useDialogAction();

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    const clean = name.trim().replace(/^#/, '');
    if (!clean) return;
    await run(async () => {
      const conv = await store.createConversation({
        kind: 'channel',
        name: clean,
        visibility,
        history_visibility: history,
        ...(topic.trim() ? { topic: topic.trim() } : {}),
        ...(purpose.trim() ? { purpose: purpose.trim() } : {}),
        ...(picked.length ? { member_ids: picked.map((u) => u.id) } : {}),
      });
      onClose();
      navigate(convPath(conv.id));
    });
  }

  return (
    <Dialog
      title={t('newChannel.title')}
      onClose={onClose}
      footer={<DialogButtons onCancel={onClose} label={t('dialog.create')} testId="dialog-submit" disabled={busy || !name.trim()} onConfirm={() => void submit()} />}
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
          <span>{t('newChannel.purpose')}</span>
          <input className="input" data-testid="channel-purpose" maxLength={250} value={purpose} onChange={(e) => setPurpose(e.target.value)} />
        </label>
        <fieldset className="choice-group">
          <legend>{t('newChannel.privacy')}</legend>
          {(['public', 'private'] as const).map((v) => (
            <label key={v} className="radio">
              <input type="radio" name={`${id}-visibility`} value={v} data-testid={`channel-${v}`} checked={visibility === v} onChange={() => setVisibility(v)} />
              <span>{t(v === 'public' ? 'newChannel.public' : 'newChannel.private')}</span>
            </label>
          ))}
        </fieldset>
        <fieldset className="choice-group">
          <legend>{t('newChannel.history')}</legend>
          {(['full', 'since_join'] as const).map((h) => (
            <label key={h} className="radio">
              <input type="radio" name={`${id}-history`} value={h} data-testid={`channel-history-${h}`} checked={history === h} onChange={() => setHistory(h)} />
              <span>{t(h === 'full' ? 'newChannel.historyFull' : 'newChannel.historySinceJoin')}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" hidden />
      </form>
      <div className="field">
        <span>{t('newChannel.members')}</span>
        <UserPicker
          autoFocus={false}
          selected={picked}
          onPick={(u) => setPicked((p) => (p.some((x) => x.id === u.id) ? p : [...p, u]))}
          onRemove={(u) => setPicked((p) => p.filter((x) => x.id !== u.id))}
        />
      </div>
      <DialogError error={error} />
    </Dialog>
  );
}
