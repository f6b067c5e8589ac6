import { useEffect, useId, useState, type FormEvent } from 'react';
import { TOKEN_SCOPES, type ApiToken, type TokenScope, type User } from '@parley/protocol';
import { useStore } from '../chat/context';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { useAction } from '../ui/useAction';
import { ShownOnce } from '../ui/ShownOnce';
import { relativeTime } from '../messages/format';
import { InlineConfirm } from '../ui/InlineConfirm';

/**
 * API tokens for scripts, CI and bots (`pat_…`): mine and my bots' with their scopes, a new one
 * (shown once, for me or one of my bots, with the scopes ticked), revoking one; and creating a
 * bot account. What `parley token` does.
 */
export function TokensSection() {
  const t = useT();
  const store = useStore();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [bots, setBots] = useState<User[]>([]);
  const [label, setLabel] = useState('');
  const [forBot, setForBot] = useState('');
  const [scopes, setScopes] = useState<TokenScope[]>([...TOKEN_SCOPES]);
  const [botName, setBotName] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const { busy, error, setError, act } = useAction();
  const id = useId();

  const refresh = async () => {
    const [tk, bt] = await Promise.all([store.api.listTokens(), store.api.listBots()]);
    setTokens(tk);
    setBots(bt);
  };
  useEffect(() => {
    refresh().catch((e: unknown) => setError(describeError(e, t)));
  }, [store]);

  const owner = (userId: string) => bots.find((b) => b.id === userId);

  function createToken(e: FormEvent) {
    e.preventDefault();
    if (!label.trim() || scopes.length === 0) return;
    void act(async () => {
      // In the order of the checkboxes, whatever order they were ticked in.
      const created = await store.api.createToken(
        label.trim(),
        forBot || undefined,
        TOKEN_SCOPES.filter((s) => scopes.includes(s)),
      );
      setShown(created.token);
      setLabel('');
      setScopes([...TOKEN_SCOPES]);
      await refresh();
    });
  }

  function revoke(id: string) {
    void act(async () => {
      await store.api.revokeToken(id);
      await refresh();
    });
  }

  function removeBot(id: string) {
    void act(async () => {
      await store.api.removeBot(id);
      setRemoving(null);
      if (forBot === id) setForBot('');
      await refresh();
    });
  }

  function createBot(e: FormEvent) {
    e.preventDefault();
    const name = botName.trim().replace(/^@/, '').toLowerCase();
    if (!name) return;
    void act(async () => {
      const bot = await store.api.createBot(name);
      setBotName('');
      await refresh();
      setForBot(bot.id);
    });
  }

  return (
    <section aria-labelledby="tokens-heading" data-testid="tokens-section">
      <h3 id="tokens-heading">{t('tokens.title')}</h3>
      <p className="muted small">{t('tokens.intro')}</p>
      {shown && <ShownOnce title={t('tokens.once')} value={shown} label={t('tokens.value')} testId="token-value" />}
      <ul className="sessions-list" data-testid="token-list" aria-busy={tokens === null}>
        {tokens === null && !error && <li className="muted">{t('webhooks.loading')}</li>}
        {tokens?.length === 0 && <li className="muted">{t('tokens.none')}</li>}
        {tokens?.map((tk) => (
          <li key={tk.id} className="session-row" data-testid="token-row">
            <div>
              <strong>{tk.name}</strong>
              {owner(tk.user_id) && <span className="tag">@{owner(tk.user_id)!.username}</span>}
              <div className="muted small">
                <span data-testid="token-scopes">{t('tokens.scopesOf', { scopes: tk.scopes.map((s) => t(`tokens.scope.${s}`)).join(', ') })}</span>
                {' · '}
                {tk.last_used_at ? t('settings.lastUsed', { time: relativeTime(tk.last_used_at) }) : t('webhooks.neverUsed')}
              </div>
            </div>
            <button type="button" className="button small danger" data-testid="token-revoke" disabled={busy} onClick={() => revoke(tk.id)}>
              {t('settings.revoke')}
            </button>
          </li>
        ))}
      </ul>
      <form className="webhook-form token-form" onSubmit={createToken}>
        <label className="field">
          <span>{t('tokens.label')}</span>
          <input className="input" data-testid="token-label" maxLength={128} value={label} onChange={(e) => setLabel(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('tokens.actsAs')}</span>
          <select className="input" data-testid="token-for" value={forBot} onChange={(e) => setForBot(e.target.value)}>
            <option value="">{t('tokens.me')}</option>
            {bots.map((b) => (
              <option key={b.id} value={b.id}>
                @{b.username}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="choice-group scope-choice" aria-describedby={`${id}-scopes`}>
          <legend>{t('tokens.scopes')}</legend>
          {TOKEN_SCOPES.map((s) => (
            <label key={s} className="checkbox">
              <input
                type="checkbox"
                data-testid={`token-scope-${s}`}
                checked={scopes.includes(s)}
                onChange={(e) => setScopes((cur) => (e.target.checked ? [...cur, s] : cur.filter((x) => x !== s)))}
              />
              {t(`tokens.scope.${s}`)}
            </label>
          ))}
          <span className={`hint ${scopes.length === 0 ? 'error' : ''}`} id={`${id}-scopes`}>
            {scopes.length === 0 ? t('tokens.needScope') : t('tokens.scopesHint')}
          </span>
        </fieldset>
        <button type="submit" className="button primary" data-testid="token-create" disabled={busy || !label.trim() || scopes.length === 0}>
          {t('tokens.create')}
        </button>
      </form>
      {bots.length > 0 && (
        <ul className="sessions-list" data-testid="bot-list" aria-label={t('tokens.bots')}>
          {bots.map((b) => (
            <li key={b.id} className="session-row" data-testid="bot-row">
              <div>
                <strong>@{b.username}</strong>
                <span className="tag">{t('message.bot')}</span>
              </div>
              {removing === b.id ? (
                <InlineConfirm
                  question={t('tokens.confirmRemoveBot', { name: b.username })}
                  action={t('tokens.removeBot')}
                  busy={busy}
                  testId="bot-remove-confirm"
                  onConfirm={() => removeBot(b.id)}
                  onCancel={() => setRemoving(null)}
                />
              ) : (
                <button type="button" className="button small danger" data-testid="bot-remove" disabled={busy} onClick={() => setRemoving(b.id)}>
                  {t('tokens.removeBot')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form className="webhook-form" onSubmit={createBot}>
        <label className="field">
          <span>{t('tokens.botName')}</span>
          <input className="input" data-testid="bot-name" maxLength={32} value={botName} onChange={(e) => setBotName(e.target.value)} />
        </label>
        <button type="submit" className="button" data-testid="bot-create" disabled={busy || !botName.trim()}>
          {t('tokens.createBot')}
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
