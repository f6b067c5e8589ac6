/**
 * Token buckets keyed by a string (user id, IP). Hand-written rather than @fastify/rate-limit
 * because one bucket must be shared by REST and the socket gateway, which that plugin cannot see.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sweeps = 0;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes `cost` tokens; returns 0 when allowed, otherwise how many ms until they are back.
   * A negative cost gives tokens back, never past the burst.
   */
  take(key: string, cost = 1): number {
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
      if (++this.sweeps % 1024 === 0) this.sweep(now);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.ratePerSec);
    b.at = now;
    if (b.tokens >= cost) {
      b.tokens = Math.min(this.burst, b.tokens - cost);
      return 0;
    }
    return Math.max(1, Math.ceil(((cost - b.tokens) / this.ratePerSec) * 1000));
  }

  /** Drops full buckets so idle keys do not hold memory forever. */
  private sweep(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.ratePerSec >= this.burst) this.buckets.delete(k);
    }
  }
}
