import type { Message, Pin, SavedMessage, ServerEvent } from '@parley/protocol';
import type { Parley } from '@parley/sdk';

/** A conversation's pinned messages, newest pin first, as far as they were loaded. */
export interface PinList {
  items: readonly Pin[];
  hasMore: boolean;
  loading: boolean;
  error: unknown;
}

/** My saved messages, last saved first: all of them once `loaded`. */
export interface SavedList {
  items: readonly SavedMessage[];
  loaded: boolean;
  loading: boolean;
  error: unknown;
}

const PINS_PAGE = 50;
const SAVED_PAGE = 100;

/**
 * Pins (shared, log events) and saved messages (mine alone), kept apart from the chat state: the
 * lists are loaded when a panel or a message menu asks, then kept live by the events the store
 * hands over (`message.pinned`, `saved.changed`, and every message event, which may change,
 * recall or burn a listed message). The pin marker on a message needs none of this: it is the
 * message's own `pinned_at`.
 */
export class PinsAndSaved {
  private pins: Record<string, PinList> = {};
  private saved: SavedList = { items: [], loaded: false, loading: false, error: null };
  private savedLoad: Promise<void> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly deps: {
      client: () => Parley;
      /** A newer copy of a message (the answer to a pin): shown everywhere it is. */
      onMessage: (m: Message) => void;
    },
  ) {}

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  private changed(): void {
    for (const l of this.listeners) l();
  }

  pinsOf(convId: string): PinList | undefined {
    return this.pins[convId];
  }

  savedList(): SavedList {
    return this.saved;
  }

  /** Whether I saved the message: null until the list was loaded (`loadSaved`). */
  isSaved(messageId: string): boolean | null {
    if (!this.saved.loaded) return null;
    return this.saved.items.some((s) => s.message.id === messageId);
  }

  private setPins(convId: string, f: (cur: PinList) => PinList): void {
    this.pins = { ...this.pins, [convId]: f(this.pins[convId] ?? { items: [], hasMore: false, loading: false, error: null }) };
    this.changed();
  }

  private setSaved(f: (cur: SavedList) => SavedList): void {
    this.saved = f(this.saved);
    this.changed();
  }

  /** The newest page of the conversation's pins, fetched again (a panel opening). */
  async loadPins(convId: string): Promise<void> {
    this.setPins(convId, (cur) => ({ ...cur, loading: true, error: null }));
    try {
      const page = await this.deps.client().pins(convId, { limit: PINS_PAGE });
      this.setPins(convId, () => ({ items: page.pins, hasMore: page.has_more, loading: false, error: null }));
    } catch (error) {
      this.setPins(convId, (cur) => ({ ...cur, loading: false, error }));
    }
  }

  async loadOlderPins(convId: string): Promise<void> {
    const cur = this.pins[convId];
    const last = cur?.items.at(-1);
    if (!cur || !last || !cur.hasMore || cur.loading) return;
    this.setPins(convId, (c) => ({ ...c, loading: true }));
    try {
      const page = await this.deps.client().pins(convId, { limit: PINS_PAGE, before_seq: last.seq });
      this.setPins(convId, (c) => ({ items: [...c.items, ...page.pins.filter((p) => !c.items.some((x) => x.message.id === p.message.id))], hasMore: page.has_more, loading: false, error: null }));
    } catch (error) {
      this.setPins(convId, (c) => ({ ...c, loading: false, error }));
    }
  }

  /** Every saved message, page by page (a user keeps at most a thousand); `refresh` fetches again. */
  loadSaved(refresh = false): Promise<void> {
    if (this.savedLoad) return this.savedLoad;
    if (this.saved.loaded && !refresh) return Promise.resolve();
    this.setSaved((cur) => ({ ...cur, loading: true, error: null }));
    this.savedLoad = (async () => {
      try {
        const items: SavedMessage[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await this.deps.client().saved({ limit: SAVED_PAGE, ...(cursor ? { cursor } : {}) });
          items.push(...page.saved);
          if (!page.next_cursor || page.saved.length === 0) break;
          cursor = page.next_cursor;
        }
        this.setSaved(() => ({ items, loaded: true, loading: false, error: null }));
      } catch (error) {
        this.setSaved((cur) => ({ ...cur, loading: false, error }));
      } finally {
        this.savedLoad = null;
      }
    })();
    return this.savedLoad;
  }

  /** Pins or unpins; the list follows the `message.pinned` event every member gets, this tab included. */
  async pin(messageId: string, op: 'add' | 'remove'): Promise<Message> {
    const msg = await this.deps.client().pin(messageId, op);
    this.deps.onMessage(msg);
    return msg;
  }

  async save(messageId: string, op: 'add' | 'remove'): Promise<void> {
    const client = this.deps.client();
    if (op === 'add') this.applySaved(messageId, await client.save(messageId));
    else {
      await client.unsave(messageId);
      this.applySaved(messageId, null);
    }
  }

  private applySaved(messageId: string, entry: SavedMessage | null): void {
    this.setSaved((cur) => {
      const rest = cur.items.filter((s) => s.message.id !== messageId);
      return { ...cur, items: entry ? [entry, ...rest].sort((a, b) => b.saved_at.localeCompare(a.saved_at)) : rest };
    });
  }

  /** Every event the store receives, once, in order. */
  onEvent(e: ServerEvent): void {
    switch (e.type) {
      case 'saved.changed':
        this.applySaved(e.message_id, e.saved);
        return;
      case 'message.pinned': {
        const m = e.message;
        if (!this.pins[e.conv_id]) return;
        this.setPins(e.conv_id, (cur) => {
          const rest = cur.items.filter((p) => p.message.id !== m.id);
          if (e.op === 'remove' || !m.pinned_at || !m.pinned_by) return { ...cur, items: rest };
          return { ...cur, items: [{ seq: e.seq, pinned_at: m.pinned_at, pinned_by: m.pinned_by, message: m }, ...rest] };
        });
        this.updateSaved(m);
        return;
      }
      case 'message.edited':
      case 'message.recalled':
      case 'message.burned':
      case 'reaction.changed':
      case 'message.tagged':
        this.updatePins(e.message);
        this.updateSaved(e.message);
        return;
      case 'messages.expired': {
        // Past the conversation's retention: its pins and saved entries up to the seq are gone.
        const gone = (m: Message) => m.conv_id === e.conv_id && m.seq <= e.up_to_seq;
        if (this.pins[e.conv_id]?.items.some((p) => gone(p.message))) this.setPins(e.conv_id, (c) => ({ ...c, items: c.items.filter((p) => !gone(p.message)) }));
        if (this.saved.items.some((x) => gone(x.message))) this.setSaved((c) => ({ ...c, items: c.items.filter((x) => !gone(x.message)) }));
        return;
      }
      default:
        return;
    }
  }

  /** A newer copy of a listed message; a recalled or burned one leaves the lists. */
  private updatePins(m: Message): void {
    const cur = this.pins[m.conv_id];
    if (!cur?.items.some((p) => p.message.id === m.id)) return;
    const gone = m.recalled || !!m.burn?.burned_at || !m.pinned_at;
    this.setPins(m.conv_id, (c) => ({ ...c, items: gone ? c.items.filter((p) => p.message.id !== m.id) : c.items.map((p) => (p.message.id === m.id ? { ...p, message: m } : p)) }));
  }

  private updateSaved(m: Message): void {
    if (!this.saved.items.some((s) => s.message.id === m.id)) return;
    const gone = m.recalled || !!m.burn?.burned_at;
    this.setSaved((c) => ({ ...c, items: gone ? c.items.filter((s) => s.message.id !== m.id) : c.items.map((s) => (s.message.id === m.id ? { ...s, message: m } : s)) }));
  }
}
