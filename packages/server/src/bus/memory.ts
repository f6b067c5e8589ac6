import type { Bus, BusHandler } from './bus.js';

/** The single-node bus: synchronous, in-process, in publish order. */
export class MemoryBus implements Bus {
  readonly name = 'memory';
  private readonly subs = new Map<string, Set<BusHandler>>();

  publish(subject: string, payload: string): void {
    const set = this.subs.get(subject);
    if (!set) return;
    for (const h of [...set]) h(payload);
  }

  subscribe(subject: string, handler: BusHandler): () => void {
    let set = this.subs.get(subject);
    if (!set) {
      set = new Set();
      this.subs.set(subject, set);
    }
    set.add(handler);
    return () => {
      const s = this.subs.get(subject);
      if (!s) return;
      s.delete(handler);
      if (s.size === 0) this.subs.delete(subject);
    };
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  healthy(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.subs.clear();
  }
}
