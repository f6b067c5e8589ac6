/**
 * A small mergeable latency histogram: logarithmic buckets 2 % wide from 0.01 ms to ~10 min,
 * plus the exact count, sum, min and max. Workers fill one each and send the bucket array to the
 * orchestrator, which adds them up; percentiles are read from the merged buckets.
 */
const BASE = 0.01;
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
export const BUCKETS = 1000;

export interface HistData {
  counts: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

export class Histogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  record(ms: number): void {
    const v = ms < BASE ? BASE : ms;
    let i = Math.floor(Math.log(v / BASE) / LOG_GROWTH);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]! += 1;
    this.count++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  toData(): HistData {
    return { counts: Array.from(this.counts), count: this.count, sum: this.sum, min: this.min, max: this.max };
  }

  merge(d: HistData): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += d.counts[i] ?? 0;
    this.count += d.count;
    this.sum += d.sum;
    if (d.min < this.min) this.min = d.min;
    if (d.max > this.max) this.max = d.max;
  }

  /** The upper edge of the bucket holding the q-th value (never above the exact max). */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, BASE * GROWTH ** (i + 1));
    }
    return this.max;
  }

  summary(): Percentiles {
    if (this.count === 0) return { count: 0, p50: null, p95: null, p99: null, max: null, mean: null };
    return { count: this.count, p50: this.quantile(0.5), p95: this.quantile(0.95), p99: this.quantile(0.99), max: this.max, mean: this.sum / this.count };
  }
}

export function mergeAll(parts: readonly HistData[]): Histogram {
  const h = new Histogram();
  for (const p of parts) h.merge(p);
  return h;
}
