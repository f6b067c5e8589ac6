import { useId, useState, type FormEvent } from 'react';
import type { Conversation, HistoryVisibility, UpdateConversationBody } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { useT } from '../i18n/i18n';
import { InlineConfirm } from '../ui/InlineConfirm';
import { toast } from '../ui/toast';
import { useAction } from '../ui/useAction';
import { allows } from './permissions';
import { RetentionSelect } from '../settings/RetentionSelect';

interface Draft {
  name?: string;
  topic?: string;
  purpose?: string;
  history_visibility?: HistoryVisibility;
}

/**
 * Name, topic, purpose and the history option in one form that sends only what was changed;
 * archive and unarchive apart, asked twice. A field not being edited shows the conversation as it
 * is now, so a change someone else makes meanwhile shows here too.
 */
export function SettingsTab({ conv }: { conv: Conversation }) {
  const t = useT();
  const store = useStore();
  const id = useId();
  const role = useChat((s) => s.me.role);
  const [draft, setDraft] = useState<Draft>({});
  const [archiving, setArchiving] = useState(false);
  const { busy, error, act } = useAction();

  const can = {
    rename: allows(conv, role, 'rename'),
    topic: allows(conv, role, 'topic'),
    history: allows(conv, role, 'history'),
    archive: allows(conv, role, 'archive'),
  };
  const value = {
    name: draft.name ?? conv.name ?? '',
    topic: draft.topic ?? conv.topic,
    purpose: draft.purpose ?? conv.purpose ?? '',
    history_visibility: draft.history_visibility ?? conv.history_visibility,
  };
  const patch: UpdateConversationBody = {};
  const cleanName = value.name.trim().replace(/^#/, '');
  if (can.rename && cleanName && cleanName !== conv.name) patch.name = cleanName;
  if (can.topic && value.topic !== conv.topic) patch.topic = value.topic;
  if (can.topic && (value.purpose.trim() || null) !== conv.purpose) patch.purpose = value.purpose.trim() || null;
  if (can.history && value.history_visibility !== conv.history_visibility) patch.history_visibility = value.history_visibility;
  const changed = Object.keys(patch).length > 0;

  function save(e?: FormEvent) {
    e?.preventDefault();
    if (!changed) return;
    void act(async () => {
      await store.updateConversation(conv.id, patch);
      setDraft({});
      toast(t('convSettings.saved'));
    });
  }

  return (
    <div className="details-settings">
      {(can.rename || can.topic || can.history) && (
        <form className="stack" onSubmit={save} data-testid="conv-settings-form">
          {can.rename && (
            <label className="field">
              <span>{t('convSettings.name')}</span>
              <input className="input" data-testid="settings-name" required maxLength={80} value={value.name} onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))} />
            </label>
          )}
          {can.topic && (
            <>
              <label className="field">
                <span>{t('details.topic')}</span>
                <input className="input" data-testid="settings-topic" maxLength={250} value={value.topic} onChange={(e) => setDraft((d) => ({ ...d, topic: e.target.value }))} />
              </label>
              <label className="field">
                <span>{t('details.purpose')}</span>
                <textarea className="input" data-testid="settings-purpose" rows={3} maxLength={250} value={value.purpose} onChange={(e) => setDraft((d) => ({ ...d, purpose: e.target.value }))} />
              </label>
            </>
          )}
          {can.history && (
            <fieldset className="field choice-group" aria-describedby={`${id}-history-hint`}>
              <legend>{t('details.history')}</legend>
              {(['full', 'since_join'] as const).map((h) => (
                <label key={h} className="radio">
                  <input
                    type="radio"
                    name={`${id}-history`}
                    value={h}
                    data-testid={`settings-history-${h}`}
                    checked={value.history_visibility === h}
                    onChange={() => setDraft((d) => ({ ...d, history_visibility: h }))}
                  />
                  <span>{t(`details.history.${h}`)}</span>
                </label>
              ))}
              <p className="hint" id={`${id}-history-hint`}>
                {t('convSettings.historyHint')}
              </p>
            </fieldset>
          )}
          <div>
            <button type="submit" className="button primary" data-testid="settings-save" disabled={busy || !changed}>
              {t('convSettings.save')}
            </button>
          </div>
        </form>
      )}
      {(role === 'owner' || role === 'admin') && (
        <RetentionSelect
          testId="settings-retention"
          label={t('convSettings.retention')}
          nullLabel={t('convSettings.retention.inherit')}
          hint={t('convSettings.retention.hint')}
          value={conv.retention_days}
          disabled={busy}
          onChange={(days) => void act(async () => void (await store.setRetention(conv.id, days)))}
        />
      )}
      {error && (
        <p className="error" role="alert" data-testid="settings-error">
          {error}
        </p>
      )}
      {can.archive ? (
        <div className="details-archive">
          <p className="hint">{t('convSettings.archiveHint')}</p>
          <div className="row-actions">
            {conv.archived ? (
              <button
                type="button"
                className="button"
                data-testid="settings-unarchive"
                disabled={busy}
                onClick={() => void act(async () => void (await store.updateConversation(conv.id, { archived: false })))}
              >
                {t('convSettings.unarchive')}
              </button>
            ) : archiving ? (
              <InlineConfirm
                question={t('convSettings.archiveConfirm')}
                action={t('convSettings.archive')}
                busy={busy}
                testId="settings-archive-confirm"
                onCancel={() => setArchiving(false)}
                onConfirm={() =>
                  void act(async () => {
                    await store.updateConversation(conv.id, { archived: true });
                    setArchiving(false);
                  })
                }
              />
            ) : (
              <button type="button" className="button danger" data-testid="settings-archive" onClick={() => setArchiving(true)}>
                {t('convSettings.archive')}
              </button>
            )}
          </div>
        </div>
      ) : (
        !can.rename && <p className="muted small">{t('convSettings.adminsOnly')}</p>
      )}
    </div>
  );
}
