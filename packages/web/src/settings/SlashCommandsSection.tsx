import { useEffect, useId, useState, type FormEvent } from 'react';
import type { CreatedSlashCommand } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { useAction } from '../ui/useAction';
import { CopyButton, ShownOnce } from '../ui/ShownOnce';
import { InlineConfirm } from '../ui/InlineConfirm';

/** `/Deploy` → `deploy`: what the server takes as a command's name (it checks the rest). */
const commandName = (typed: string) => typed.trim().replace(/^\//, '').toLowerCase();

/**
 * The workspace's custom slash commands, for its owners and admins: each with its hint,
 * description and endpoint; a new one (its signing secret and verification token shown once);
 * removing one. Everyone else never sees this section (the server refuses them anyway).
 */
export function SlashCommandsSection() {
  const t = useT();
  const store = useStore();
  const id = useId();
  const commands = useChat((s) => s.commands);
  const [command, setCommand] = useState('');
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [usageHint, setUsageHint] = useState('');
  const [name, setName] = useState('');
  const [shown, setShown] = useState<CreatedSlashCommand | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const { busy, error, setError, act } = useAction();
  const ready = commandName(command) !== '' && url.trim() !== '';

  // Fresh on opening: the endpoints are listed for admins only, and another admin may have changed them.
  useEffect(() => {
    store.loadCommands(0).catch((e: unknown) => setError(describeError(e, t)));
  }, [store]);

  function create(e: FormEvent) {
    e.preventDefault();
    if (!ready) return;
    void act(async () => {
      const created = await store.createCommand({
        command: commandName(command),
        url: url.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(usageHint.trim() ? { usage_hint: usageHint.trim() } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
      });
      setShown(created);
      setCommand('');
      setUrl('');
      setDescription('');
      setUsageHint('');
      setName('');
    });
  }

  function remove(commandId: string) {
    void act(async () => {
      await store.revokeCommand(commandId);
      setConfirming(null);
      if (shown?.id === commandId) setShown(null);
    });
  }

  return (
    <section aria-labelledby={`${id}-title`} data-testid="commands-section">
      <h3 id={`${id}-title`}>{t('slash.title')}</h3>
      <p className="muted small">{t('slash.intro')}</p>
      {shown && (
        <ShownOnce title={t('slash.secretOnce', { name: shown.command })} value={shown.secret} label={t('slash.secret')} testId="command-secret">
          <div className="field secret-field">
            <span aria-hidden="true">{t('slash.token')}</span>
            <div className="secret-line">
              <input className="input" readOnly value={shown.token} data-testid="command-token" aria-label={t('slash.token')} onFocus={(e) => e.currentTarget.select()} />
              <CopyButton value={shown.token} />
            </div>
          </div>
          <p className="hint">{t('outgoing.verifyHint')}</p>
        </ShownOnce>
      )}
      <ul className="webhook-list" data-testid="command-list" aria-busy={commands === null}>
        {commands === null && !error && <li className="muted">{t('webhooks.loading')}</li>}
        {commands?.length === 0 && (
          <li className="muted" data-testid="commands-empty">
            {t('slash.none')}
          </li>
        )}
        {commands?.map((c) => (
          <li key={c.id} className="webhook-row" data-testid="command-row" data-command={c.command}>
            <div className="webhook-name">
              <strong>/{c.command}</strong> {c.usage_hint && <span className="muted">{c.usage_hint}</span>}
              {c.description && <div className="small">{c.description}</div>}
              {c.url && (
                <div className="muted small ellipsis" title={c.url}>
                  {c.url}
                </div>
              )}
            </div>
            {confirming === c.id ? (
              <InlineConfirm
                question={t('slash.confirmRemove', { name: c.command })}
                action={t('slash.remove')}
                busy={busy}
                testId="command-remove-confirm"
                onConfirm={() => remove(c.id)}
                onCancel={() => setConfirming(null)}
              />
            ) : (
              <button type="button" className="button danger" disabled={busy} data-testid="command-remove" onClick={() => setConfirming(c.id)}>
                {t('slash.remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <form className="outgoing-form" aria-labelledby={`${id}-new`} onSubmit={create}>
        <h3 id={`${id}-new`}>{t('slash.new')}</h3>
        <div className="outgoing-fields">
          <div className="field">
            <label htmlFor={`${id}-command`}>{t('slash.command')}</label>
            <input
              id={`${id}-command`}
              className="input"
              data-testid="command-name"
              maxLength={33}
              placeholder="/deploy"
              autoCapitalize="none"
              spellCheck={false}
              aria-describedby={`${id}-command-hint`}
              value={command}
              onChange={(e) => setCommand(e.target.value)}
            />
            <span className="hint" id={`${id}-command-hint`}>
              {t('slash.commandHint')}
            </span>
          </div>
          <label className="field">
            <span>{t('slash.url')}</span>
            <input className="input" type="url" data-testid="command-url" maxLength={2048} placeholder="https://" value={url} onChange={(e) => setUrl(e.target.value)} />
          </label>
        </div>
        <div className="outgoing-fields">
          <label className="field">
            <span>{t('slash.description')}</span>
            <input className="input" data-testid="command-description" maxLength={200} value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <label className="field">
            <span>{t('slash.usageHint')}</span>
            <input className="input" data-testid="command-usage" maxLength={100} placeholder="[service] [environment]" value={usageHint} onChange={(e) => setUsageHint(e.target.value)} />
          </label>
          <label className="field">
            <span>{t('slash.name')}</span>
            <input className="input" data-testid="command-display-name" maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
        </div>
        <button type="submit" className="button primary" data-testid="command-create" disabled={busy || !ready}>
          {t('slash.create')}
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
