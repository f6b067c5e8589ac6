import { useEffect, useState } from 'react';
import type { Conversation } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { convPath, navigate } from '../app/router';
import { describeError } from '../auth/errors';
import { useT } from '../i18n/i18n';
import { Dialog } from '../ui/Dialog';
import { IconHash } from '../ui/icons';

export function ChannelBrowser({ onClose }: { onClose: () => void }) {
  const t = useT();
  const store = useStore();
  const mine = useChat((s) => s.conversations);
  const [query, setQuery] = useState('');
  const [channels, setChannels] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [joining, setJoining] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      store.api
        .browseChannels(query.trim())
        .then((list) => live && setChannels(list))
        .catch((e: unknown) => live && setError(describeError(e, t)));
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query, store, t]);

  async function join(c: Conversation) {
    const member = mine[c.id]?.membership && mine[c.id]?.membership?.left_seq === null;
    if (member) {
      onClose();
      navigate(convPath(c.id));
      return;
    }
    setJoining(c.id);
    try {
      await store.joinChannel(c.id);
      onClose();
      navigate(convPath(c.id));
    } catch (e) {
      setError(describeError(e, t));
      setJoining(null);
    }
  }

  return (
    <Dialog title={t('browse.title')} onClose={onClose} className="wide">
      <input type="search" className="input" data-autofocus="" placeholder={t('browse.search')} aria-label={t('browse.search')} value={query} onChange={(e) => setQuery(e.target.value)} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul className="channel-list">
        {channels === null && <li className="muted small-pad">{t('conv.loading')}</li>}
        {channels?.length === 0 && <li className="muted small-pad">{t('browse.empty')}</li>}
        {channels?.map((c) => {
          const joined = !!(mine[c.id]?.membership && mine[c.id]?.membership?.left_seq === null);
          return (
            <li key={c.id} className="channel-row" data-testid="channel-option" data-channel-name={c.name ?? ''} data-conv-id={c.id}>
              <IconHash />
              <div className="channel-info">
                <strong>{c.name}</strong>
                <span className="muted">
                  {t('browse.members', { n: c.member_count })}
                  {c.topic ? ` · ${c.topic}` : ''}
                </span>
              </div>
              <button type="button" className={`button ${joined ? '' : 'primary'}`} data-testid="channel-join" disabled={joining === c.id} onClick={() => void join(c)}>
                {joined ? t('dialog.open') : t('browse.join')}
              </button>
            </li>
          );
        })}
      </ul>
    </Dialog>
  );
}
