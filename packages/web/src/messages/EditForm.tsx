import { useEffect, useRef, useState } from 'react';
import type { Message } from '@parley/protocol';
import { useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { autoGrow } from '../composer/autogrow';

export function EditForm({ msg, onDone }: { msg: Message; onDone: () => void }) {
  const t = useT();
  const store = useStore();
  const [text, setText] = useState(msg.body);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
    autoGrow(el);
  }, []);

  async function save() {
    const body = text.trim();
    if (busy) return;
    if (!body || body === msg.body) {
      onDone();
      return;
    }
    setBusy(true);
    try {
      await store.edit(msg.id, body);
      onDone();
    } catch (e) {
      setError(describeError(e, t));
      setBusy(false);
    }
  }

  return (
    <div className="edit-form">
      <textarea
        ref={ref}
        className="input"
        data-testid="edit-input"
        aria-label={t('message.edit')}
        aria-describedby={`edit-hint-${msg.id}`}
        value={text}
        rows={1}
        onChange={(e) => {
          setText(e.target.value);
          autoGrow(e.target);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            void save();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onDone();
          }
        }}
      />
      <div className="edit-actions">
        <small id={`edit-hint-${msg.id}`} className="muted">
          {t('message.editHint')}
        </small>
        <button type="button" className="button small" onClick={onDone}>
          {t('message.editCancel')}
        </button>
        <button type="button" className="button small primary" disabled={busy} onClick={() => void save()}>
          {t('message.editSave')}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
