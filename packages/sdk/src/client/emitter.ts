/** A small typed event emitter with an async-iterator view; no Node `events` import (runs in browsers). */
export class Emitter<M extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof M, Set<(v: never) => void>>();

  on<K extends keyof M>(name: K, fn: (value: M[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as (v: never) => void);
    return () => set.delete(fn as (v: never) => void);
  }

  once<K extends keyof M>(name: K, fn: (value: M[K]) => void): () => void {
    const off = this.on(name, (v) => {
      off();
      fn(v);
    });
    return off;
  }

  emit<K extends keyof M>(name: K, value: M[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const fn of [...set]) (fn as (v: M[K]) => void)(value);
  }

  /** Values of one event as an async iterator; ends when `signal` aborts. Buffers what the consumer has not read yet. */
  iterate<K extends keyof M>(name: K, signal?: AbortSignal): AsyncIterableIterator<M[K]> {
    const buffer: M[K][] = [];
    let wake: (() => void) | null = null;
    let done = false;
    const off = this.on(name, (v) => {
      buffer.push(v);
      wake?.();
    });
    const finish = () => {
      done = true;
      off();
      wake?.();
    };
    signal?.addEventListener('abort', finish, { once: true });
    const it: AsyncIterableIterator<M[K]> = {
      [Symbol.asyncIterator]: () => it,
      async next(): Promise<IteratorResult<M[K]>> {
        for (;;) {
          if (buffer.length > 0) return { value: buffer.shift()!, done: false };
          if (done || signal?.aborted) return { value: undefined, done: true };
          await new Promise<void>((r) => (wake = r));
          wake = null;
        }
      },
      async return(): Promise<IteratorResult<M[K]>> {
        finish();
        return { value: undefined, done: true };
      },
    };
    return it;
  }
}
