import type { Message, RevealedMessage } from '@parley/protocol';
import { ParleyError } from '@parley/sdk';

/**
 * Where one burn-after-reading message stands for this reader:
 * - `hidden`: not revealed in this page (it may have been on another device, or before a reload);
 * - `revealing`: the reveal is on its way;
 * - `shown`: its content, until `burnsAt` (this browser's clock; null for its sender, who reads
 *   it until it burns for everyone);
 * - `expired`: the reader's time ran out here, and the content was dropped;
 * - `burned`: the server said it burned for this reader (a reveal after their time);
 * - `failed`: the reveal failed otherwise (offline…), to be tried again.
 */
export type RevealState =
  { status: 'hidden' } | { status: 'revealing' } | { status: 'shown'; message: Message; burnsAt: number | null } | { status: 'expired' } | { status: 'burned' } | { status: 'failed'; error: unknown };

const HIDDEN: RevealState = { status: 'hidden' };
/** setTimeout's longest delay; a longer wait is taken in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface RevealsOptions {
  reveal: (messageId: string) => Promise<RevealedMessage>;
  /** The content was dropped (its time ran out, it burned, the session ended): let go of anything derived from it, such as file bytes. */
  onDrop?: (message: Message) => void;
}

/**
 * Revealed burn-after-reading content, for this page only. It lives here, in memory, and
 * nowhere else: never in the ChatStore state (whose timelines are cached in IndexedDB), never in
 * a draft or a notification. Each entry is dropped at the reader's `burns_at`, when the message
 * burns for everyone, and when the session stops. Rows showing one message share its entry, so a
 * message in both the list and its thread is revealed once, and a row scrolled out of the
 * virtualised list and back still shows what is left of the reader's time.
 */
export class Reveals {
  private readonly states = new Map<string, RevealState>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly opts: RevealsOptions) {}

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  get(messageId: string): RevealState {
    return this.states.get(messageId) ?? HIDDEN;
  }

  /** Asks the server for the content (the reader's first reveal starts their timer there). */
  async reveal(messageId: string): Promise<void> {
    const cur = this.get(messageId).status;
    if (cur === 'revealing' || cur === 'shown' || cur === 'expired' || cur === 'burned') return;
    this.put(messageId, { status: 'revealing' });
    try {
      // Counted from the ask, on this browser's clock: the reader's time started at the server after
      // this moment, so the content never shows past its end, however slow the answer or skewed the clocks.
      const asked = Date.now();
      const res = await this.opts.reveal(messageId);
      // The session stopped, or the message burned, while the answer was on its way.
      if (this.get(messageId).status !== 'revealing') return;
      const burnsAt = res.burns_in_ms === null ? null : asked + res.burns_in_ms;
      if (burnsAt !== null && burnsAt <= Date.now()) return this.put(messageId, { status: 'expired' });
      this.put(messageId, { status: 'shown', message: res.message, burnsAt });
      if (burnsAt !== null) this.arm(messageId, burnsAt);
    } catch (e) {
      if (this.get(messageId).status !== 'revealing') return;
      this.put(messageId, e instanceof ParleyError && e.code === 'burned' ? { status: 'burned' } : { status: 'failed', error: e });
    }
  }

  /** The reader's time is up (a row saw the clock pass it before the timer fired): drop the content now. */
  expire(messageId: string): void {
    if (this.get(messageId).status === 'shown') this.put(messageId, { status: 'expired' });
  }

  /** The message burned for everyone (or was recalled): its content goes, and rows show the tombstone. */
  burned(messageId: string): void {
    if (this.states.has(messageId)) this.put(messageId, { status: 'burned' });
  }

  /** The session ends: everything revealed is dropped. */
  clear(): void {
    for (const id of [...this.states.keys()]) this.put(id, HIDDEN);
    this.states.clear();
  }

  private arm(messageId: string, at: number): void {
    const wait = at - Date.now();
    this.timers.set(
      messageId,
      setTimeout(() => (wait > MAX_DELAY_MS ? this.arm(messageId, at) : this.expire(messageId)), Math.min(Math.max(wait, 0), MAX_DELAY_MS)),
    );
  }

  private put(messageId: string, next: RevealState): void {
    const prev = this.states.get(messageId);
    const timer = this.timers.get(messageId);
    if (timer !== undefined && next.status !== 'shown') {
      clearTimeout(timer);
      this.timers.delete(messageId);
    }
    this.states.set(messageId, next);
    if (prev?.status === 'shown' && next.status !== 'shown') this.opts.onDrop?.(prev.message);
    for (const l of this.listeners) l();
  }
}
