import { useEffect, useId, useState } from 'react';
import { useChat } from '../chat/context';
import { useT } from '../i18n/i18n';
import { firstRunState, setFirstRunState, type FirstRunState } from './first-run';
import { convPath, navigate, useRoute } from './router';
import './first-run.css';

/**
 * A short guide for an account that just signed up in this browser: what channels, direct
 * messages, the quick switcher and search are. It waits for the account's first channel (the
 * workspace's default one, which sign-up joins), opens it, and stays until dismissed; the choice
 * is remembered per user (first-run.ts).
 */
export function FirstRunGuide() {
  const t = useT();
  const id = useId();
  const me = useChat((s) => s.me.id);
  const conversations = useChat((s) => s.conversations);
  const route = useRoute();
  const [state, setState] = useState<FirstRunState | null>(() => firstRunState(me));

  const connection = useChat((s) => s.connection);
  const channel = state === 'new' ? Object.values(conversations).find((c) => c.kind === 'channel') : undefined;
  useEffect(() => {
    if (state !== 'new') return;
    if (!channel) {
      // Connected a while and still no channel: this workspace has no default one; no guide then.
      if (connection !== 'open') return;
      const timer = setTimeout(() => {
        setFirstRunState(me, 'done');
        setState('done');
      }, 5_000);
      return () => clearTimeout(timer);
    }
    setFirstRunState(me, 'show');
    setState('show');
    if (route.name === 'home') navigate(convPath(channel.id), { replace: true });
  }, [state, channel, connection, me, route.name]);

  if (state !== 'show') return null;
  const dismiss = () => {
    setFirstRunState(me, 'done');
    setState('done');
  };
  return (
    <section className="first-run" aria-labelledby={`${id}-title`} data-testid="first-run">
      <h2 id={`${id}-title`}>{t('firstRun.title')}</h2>
      <ul>
        <li>{t('firstRun.channels')}</li>
        <li>{t('firstRun.dms')}</li>
        <li>{t('firstRun.switcher')}</li>
        <li>{t('firstRun.search')}</li>
      </ul>
      <button type="button" className="button small" data-testid="first-run-dismiss" onClick={dismiss}>
        {t('firstRun.dismiss')}
      </button>
    </section>
  );
}
