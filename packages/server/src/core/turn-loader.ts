/**
 * Reads by key that arrive in the same turn of the event loop, answered together in its check
 * phase by one query per chunk of keys. On PostgreSQL every read is a round trip for a pooled
 * connection: one per socket request queued behind the send batches for the pool.
 */
export class TurnLoader<R> {
  private waiting = new Map<string, { resolve: (row: R | undefined) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;

  constructor(
    private readonly load: (keys: string[]) => Promise<Map<string, R>>,
    /** Keys per query, well under every engine's bound-parameter limit. */
    private readonly chunk = 500,
  ) {}

  /** The row for `key` as read in this turn's query, or undefined when there is none. */
  get(key: string): Promise<R | undefined> {
    return new Promise((resolve, reject) => {
      let list = this.waiting.get(key);
      if (!list) {
        list = [];
        this.waiting.set(key, list);
      }
      list.push({ resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
    const keys = [...batch.keys()];
    const chunks: string[][] = [];
    for (let i = 0; i < keys.length; i += this.chunk) chunks.push(keys.slice(i, i + this.chunk));
    await Promise.all(
      chunks.map(async (chunk) => {
        try {
          const rows = await this.load(chunk);
          for (const k of chunk) for (const w of batch.get(k)!) w.resolve(rows.get(k));
        } catch (e) {
          for (const k of chunk) for (const w of batch.get(k)!) w.reject(e);
        }
      }),
    );
  }
}
