/**
 * Puts one conversation's log events back in seq order before they reach sockets. Commits on
 * several database connections (or nodes) can publish out of order; an event that arrives ahead
 * of a missing seq waits up to `windowMs` for it. If the gap does not fill (a publish lost in a
 * crash), the held events go out anyway and clients resync the gap, as they would for any gap.
 *
 * `next` is the first seq expected. Given the conversation's last seq when the subscription was
 * made, the first event published out of order is held like any other; without it (null) the
 * first event to arrive sets the order, and one that overtook an earlier seq goes out first.
 */
export class SeqOrder<T> {
  private readonly held = new Map<number, T>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deliver: (item: T) => void,
    private readonly windowMs: number,
    private next: number | null = null,
    private readonly maxHeld = 10_000,
  ) {}

  push(seq: number, item: T): void {
    if (this.next === null || seq === this.next) {
      this.deliver(item);
      this.next = seq + 1;
      this.drain();
      return;
    }
    if (seq < this.next) {
      // Late, after a flush already moved past it: deliver; clients drop what they already have.
      this.deliver(item);
      return;
    }
    this.held.set(seq, item);
    if (this.held.size >= this.maxHeld) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  private drain(): void {
    while (this.next !== null && this.held.has(this.next)) {
      const item = this.held.get(this.next)!;
      this.held.delete(this.next);
      this.deliver(item);
      this.next++;
    }
    if (this.held.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /** Gives up waiting: delivers everything held, in order. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const seqs = [...this.held.keys()].sort((a, b) => a - b);
    for (const s of seqs) {
      const item = this.held.get(s);
      // Closed by a delivery (the last socket left on a member.left event): nothing more to hand out.
      if (item === undefined) return;
      this.held.delete(s);
      this.next = s + 1;
      this.deliver(item);
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.held.clear();
  }
}
