import { useEffect, useState, useSyncExternalStore } from 'react';
import type { BurnInfo, Message } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import type { RevealState } from '../chat/reveals';
import { describeError } from '../auth/errors';
import { Attachments } from '../files/Attachments';
import { useT } from '../i18n/i18n';
import { MessageBody } from '../markdown/MessageBody';
import { countdown, durationWords } from './burn-format';

/** How often the countdown is redrawn: often enough that "0:01" never lingers past the end. */
const TICK_MS = 250;

/** The 🔥 line of a burn message: how long each reader has once they reveal it. */
export function BurnBadge({ seconds }: { seconds: number }) {
  const t = useT();
  return (
    <span className="burn-badge" data-testid="burn-badge">
      <span aria-hidden="true">🔥 </span>
      {t('burn.badge', { time: durationWords(seconds, t) })}
    </span>
  );
}

/**
 * A burn-after-reading message in place of its body. The shared message never carries its words
 * or files, for anyone, its sender included: they come from a reveal, are held by the store's
 * in-memory `reveals` (never its cached state), shown with a countdown to the reader's end, and
 * dropped then. Burned for everyone, it is a tombstone, like a recalled message.
 */
export function BurnBody({ msg, burn }: { msg: Message; burn: BurnInfo }) {
  const t = useT();
  const store = useStore();
  const me = useChat((s) => s.me);
  const state = useSyncExternalStore(store.reveals.subscribe, () => store.reveals.get(msg.id));
  if (burn.burned_at !== null) {
    return (
      <div className="md tombstone" data-testid="message-body" data-burn-state="tombstone">
        {t('burn.tombstone')}
      </div>
    );
  }
  if (state.status === 'shown') return <Revealed id={msg.id} afterS={burn.after_s} state={state} me={me.username} hereReachedMe={msg.mentions.includes(me.id)} />;
  if (state.status === 'expired' || state.status === 'burned') {
    return (
      <div className="md tombstone" data-testid="message-body" data-burn-state={state.status}>
        {t(state.status === 'expired' ? 'burn.burnedForYou' : 'burn.gone')}
      </div>
    );
  }
  const mine = msg.sender_id === me.id;
  return (
    <div className="burn" data-burn-state={state.status}>
      <div className="burn-head">
        <BurnBadge seconds={burn.after_s} />
        <button type="button" className="button small" data-testid="burn-reveal" disabled={state.status === 'revealing'} onClick={() => void store.reveals.reveal(msg.id)}>
          {state.status === 'revealing' ? t('burn.revealing') : state.status === 'failed' ? t('burn.tryAgain') : t('burn.reveal')}
        </button>
      </div>
      {state.status === 'failed' ? (
        <div className="burn-note error" role="alert">
          {t('burn.revealFailed', { reason: describeError(state.error, t) })}
        </div>
      ) : (
        <div className="burn-note muted">{t(mine ? 'burn.hintSender' : 'burn.hintReader')}</div>
      )}
    </div>
  );
}

/** The revealed content, with what is left of the reader's time; at its end the store drops it. */
function Revealed({ id, afterS, state, me, hereReachedMe }: { id: string; afterS: number; state: Extract<RevealState, { status: 'shown' }>; me: string; hereReachedMe: boolean }) {
  const t = useT();
  const store = useStore();
  const [now, setNow] = useState(() => Date.now());
  const { burnsAt } = state;
  useEffect(() => {
    if (burnsAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [burnsAt]);
  // `now` is the last tick's, and the component may have been drawn before this reveal arrived:
  // a clock read at mount would say more time is left than the reader was given ("1:01" of a minute).
  const left = burnsAt === null ? null : burnsAt - Math.max(now, Date.now());
  // The clock passed the end before the store's timer fired (a throttled background tab): drop it now.
  useEffect(() => {
    if (left !== null && left <= 0) store.reveals.expire(id);
  }, [left, store, id]);
  if (left !== null && left <= 0) return null;
  const revealed = state.message;
  return (
    <div className="burn revealed" data-burn-state="shown">
      <div className="burn-head">
        <BurnBadge seconds={afterS} />
        {left === null ? (
          <span className="burn-note muted">{t('burn.senderNote')}</span>
        ) : (
          <span className="burn-countdown" role="timer" data-testid="burn-countdown">
            {t('burn.countdown', { time: countdown(left, t) })}
          </span>
        )}
      </div>
      {revealed.body.trim() !== '' && <MessageBody body={revealed.body} me={me} hereReachedMe={hereReachedMe} unmemoised />}
      {revealed.attachments.length > 0 && <Attachments items={revealed.attachments} unmemoised />}
    </div>
  );
}
