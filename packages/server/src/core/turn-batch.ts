/**
 * Calls that arrive in the same turn of the event loop, handled together in its check phase
 * (after every socket read of that turn): `add` resolves once its batch is done, or rejects with
 * the batch's error.
 */
export class TurnBatch<T> {
  private waiting: { item: T; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(private readonly handle: (items: T[]) => Promise<void>) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    this.scheduled = false;
    try {
      await this.handle(batch.map((b) => b.item));
      for (const b of batch) b.resolve();
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }
}
