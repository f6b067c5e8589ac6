/**
 * Attempts to reach receivers outside Parley (outgoing webhooks, push services) running beside a
 * background loop: counted, so a loop starts no more than its share, and drained on stop — the
 * shutdown grace to finish, then cut through `signal` (a cut attempt counts as failed and is
 * retried later, here after a restart or by another node).
 */
export class Attempts {
  private readonly running = new Set<Promise<void>>();
  private aborter = new AbortController();

  /** Aborts the attempts under way once the grace is over. */
  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  get size(): number {
    return this.running.size;
  }

  /** A new run (after a stop): attempts are not born cut. */
  restart(): void {
    this.aborter = new AbortController();
  }

  /** Tracks an attempt until it settles; `after` runs then (a slot is free: more may be due). */
  track(attempt: Promise<void>, after: () => void): void {
    const tracked = attempt.finally(() => {
      this.running.delete(tracked);
      after();
    });
    this.running.add(tracked);
  }

  async drain(graceMs: number): Promise<void> {
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => (grace = setTimeout(r, graceMs)))]);
    clearTimeout(grace);
    this.aborter.abort();
    await Promise.allSettled([...this.running]);
  }
}
