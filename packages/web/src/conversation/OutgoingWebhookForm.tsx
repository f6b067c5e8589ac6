import { useId, useState, type FormEvent } from 'react';
import type { CreatedOutgoingWebhook, OutgoingEventKind, OutgoingWebhook } from '@parley/protocol';
import { useStore } from '../chat/context';
import { useT } from '../i18n/i18n';
import { useAction } from '../ui/useAction';
import { DialogError } from '../ui/Dialog';

const EVENTS: readonly OutgoingEventKind[] = ['message', 'reaction', 'member_joined'];
const FORMATS: readonly OutgoingWebhook['format'][] = ['json', 'slack'];

/** `deploy, ship  !build` → `['deploy', 'ship', '!build']`: once each, whatever the case (the server matches without it). */
export function parseTriggerWords(text: string): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const w of text.split(/[\s,]+/)) {
    if (w === '' || seen.has(w.toLowerCase())) continue;
    seen.add(w.toLowerCase());
    words.push(w);
  }
  return words;
}

/**
 * A new outgoing webhook. What the server refuses (the Slack format with reactions, a private
 * address) is said in its own words under the form, which keeps what was typed.
 */
export function OutgoingWebhookForm({ convId, onCreated }: { convId: string; onCreated: (hook: CreatedOutgoingWebhook) => Promise<void> }) {
  const t = useT();
  const store = useStore();
  const id = useId();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [triggers, setTriggers] = useState('');
  const [events, setEvents] = useState<OutgoingEventKind[]>(['message']);
  const [format, setFormat] = useState<OutgoingWebhook['format']>('json');
  const { busy, error, act } = useAction();
  const ready = name.trim() !== '' && url.trim() !== '' && events.length > 0;

  function create(e: FormEvent) {
    e.preventDefault();
    if (!ready) return;
    const words = parseTriggerWords(triggers);
    void act(async () => {
      const hook = await store.api.createOutgoingWebhook(convId, {
        name: name.trim(),
        url: url.trim(),
        // In the order of the checkboxes, whatever order they were ticked in.
        events: EVENTS.filter((k) => events.includes(k)),
        format,
        ...(words.length ? { trigger_words: words } : {}),
      });
      setName('');
      setUrl('');
      setTriggers('');
      setEvents(['message']);
      setFormat('json');
      await onCreated(hook);
    });
  }

  return (
    <form className="outgoing-form" aria-labelledby={`${id}-title`} onSubmit={create}>
      <h3 id={`${id}-title`}>{t('outgoing.new')}</h3>
      <div className="outgoing-fields">
        <label className="field">
          <span>{t('outgoing.name')}</span>
          <input className="input" data-testid="outgoing-name" maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('outgoing.url')}</span>
          <input className="input" type="url" data-testid="outgoing-url" maxLength={2048} placeholder="https://" value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
      </div>
      <div className="field">
        <label htmlFor={`${id}-triggers`}>{t('outgoing.triggers')}</label>
        <input id={`${id}-triggers`} className="input" data-testid="outgoing-triggers" aria-describedby={`${id}-triggers-hint`} value={triggers} onChange={(e) => setTriggers(e.target.value)} />
        <span className="hint" id={`${id}-triggers-hint`}>
          {t('outgoing.triggersHint')}
        </span>
      </div>
      <div className="outgoing-fields">
        <fieldset className="choice-group">
          <legend>{t('outgoing.events')}</legend>
          {EVENTS.map((k) => (
            <label key={k} className="checkbox">
              <input
                type="checkbox"
                data-testid={`outgoing-event-${k}`}
                checked={events.includes(k)}
                onChange={(e) => setEvents((cur) => (e.target.checked ? [...cur, k] : cur.filter((x) => x !== k)))}
              />
              {t(`outgoing.event.${k}`)}
            </label>
          ))}
        </fieldset>
        <fieldset className="choice-group" aria-describedby={`${id}-format`}>
          <legend>{t('outgoing.format')}</legend>
          {FORMATS.map((f) => (
            <label key={f} className="radio">
              <input type="radio" name={`${id}-format`} data-testid={`outgoing-format-${f}`} value={f} checked={format === f} onChange={() => setFormat(f)} />
              {t(`outgoing.format.${f}`)}
            </label>
          ))}
          <span className="hint" id={`${id}-format`}>
            {t('outgoing.formatHint')}
          </span>
        </fieldset>
      </div>
      <button type="submit" className="button primary" data-testid="outgoing-create" disabled={busy || !ready}>
        {t('outgoing.create')}
      </button>
      <DialogError error={error} />
    </form>
  );
}
