import { useEffect, useRef, useState } from 'react';
import type { ConnectionHealth } from '@parley/sdk';
import { useChat, useStore } from '../chat/context';
import { useT } from '../i18n/i18n';
import { Popover } from '../messages/Popover';
import { IconSignal } from '../ui/icons';
import { toast } from '../ui/toast';

/** How often the open panel measures the round trip again. */
const REFRESH_MS = 3_000;

/**
 * "Network status": the connection's round trip, how often it reconnected, what is waiting to be
 * sent, and the low-bandwidth switch. What a user checks when the chat feels slow, before asking
 * an administrator.
 */
export function NetworkStatus() {
  const t = useT();
  const store = useStore();
  const connection = useChat((s) => s.connection);
  const online = useChat((s) => s.online);
  const lowBandwidth = useChat((s) => s.lowBandwidth);
  const [open, setOpen] = useState(false);
  const [health, setHealth] = useState<ConnectionHealth | null>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    const refresh = () => {
      setHealth(store.health());
      if (store.state.connection === 'open')
        store.measureRtt().then(
          () => live && setHealth(store.health()),
          () => live && setHealth(store.health()),
        );
    };
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [open, store]);

  const good = connection === 'open' && online;
  const state = !online ? t('network.offline') : connection === 'open' ? t('network.connected') : connection === 'reconnecting' ? t('network.reconnecting') : t('network.connecting');
  const since = health?.connected_since ? new Date(health.connected_since).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : null;

  return (
    <>
      <button
        ref={button}
        type="button"
        className={`icon-button network-button ${good ? '' : 'degraded'}`}
        data-testid="network-status"
        aria-label={t('network.open')}
        title={`${t('network.open')}: ${state}`}
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <IconSignal />
      </button>
      {open && (
        <Popover anchor={button.current} onClose={() => setOpen(false)} label={t('network.title')} testId="network-panel">
          <div className="network-panel">
            <h2 className="popover-title">{t('network.title')}</h2>
            <dl>
              <dt>{t('network.state')}</dt>
              <dd data-testid="network-state">{state}</dd>
              <dt>{t('network.rtt')}</dt>
              <dd data-testid="network-rtt">{health?.rtt_ms != null ? t('network.ms', { n: health.rtt_ms }) : '—'}</dd>
              <dt>{t('network.reconnects')}</dt>
              <dd data-testid="network-reconnects">{health ? t('network.reconnectCount', { n: health.reconnects }) : '—'}</dd>
              {since && (
                <>
                  <dt>{t('network.since')}</dt>
                  <dd>{since}</dd>
                </>
              )}
              <dt>{t('network.pending')}</dt>
              <dd data-testid="network-pending">{health ? t('network.pendingCount', { n: health.pending_sends }) : '—'}</dd>
            </dl>
            <label className="checkbox">
              <input
                type="checkbox"
                // The popover focuses its first tabbable control, so Escape reaches it and closes it.
                tabIndex={0}
                data-testid="low-bandwidth"
                checked={lowBandwidth}
                onChange={(e) => {
                  store.setLowBandwidth(e.target.checked).catch(() => toast(t('network.lowBandwidthFailed')));
                }}
              />
              <span>{t('network.lowBandwidth')}</span>
            </label>
            <p className="small muted">{t('network.lowBandwidthHint')}</p>
          </div>
        </Popover>
      )}
    </>
  );
}
