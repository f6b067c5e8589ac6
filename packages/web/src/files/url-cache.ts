/**
 * Object URLs for downloaded file bytes, shared between everything showing the same file. An
 * image needs its URL only while it is on screen: each user holds a reference, and a URL nobody
 * holds stays for a while (scrolling back is instant) until it is among the oldest idle ones,
 * then it is revoked so its bytes can be freed. A URL somebody still holds is never revoked.
 */
export interface UrlCacheOptions {
  load: (key: string) => Promise<Blob>;
  createUrl: (blob: Blob) => string;
  revokeUrl: (url: string) => void;
  /** How many unreferenced URLs to keep. */
  maxIdle: number;
}

interface Entry {
  promise: Promise<string>;
  url: string | null;
  refs: number;
}

export class UrlCache {
  private readonly entries = new Map<string, Entry>();
  /** Unreferenced keys, oldest first. */
  private readonly idle = new Set<string>();
  /** Keys forgotten while still held: revoked when the last holder lets go, never kept idle. */
  private readonly doomed = new Set<string>();

  constructor(private readonly opts: UrlCacheOptions) {}

  /** A URL for `key` and the function that gives the reference back (call it exactly once). */
  acquire(key: string): { url: Promise<string>; release: () => void } {
    let entry = this.entries.get(key);
    if (!entry) {
      const created: Entry = { refs: 0, url: null, promise: Promise.resolve('') };
      created.promise = this.opts.load(key).then((blob) => {
        if (this.entries.get(key) !== created) return '';
        created.url = this.opts.createUrl(blob);
        return created.url;
      });
      // A failed load is forgotten, so the next viewer tries again.
      created.promise.catch(() => this.entries.get(key) === created && this.drop(key));
      this.entries.set(key, created);
      entry = created;
    }
    entry.refs++;
    this.idle.delete(key);
    const held = entry;
    let released = false;
    return {
      url: entry.promise,
      release: () => {
        if (released) return;
        released = true;
        held.refs--;
        if (held.refs === 0 && this.entries.get(key) === held) {
          if (this.doomed.has(key)) return this.drop(key);
          this.idle.add(key);
          this.trim();
        }
      },
    };
  }

  /** How many URLs exist right now (for tests and diagnostics). */
  get size(): number {
    return [...this.entries.values()].filter((e) => e.url !== null).length;
  }

  /**
   * Lets go of a file for good (its burn-after-reading message burned for this reader): its URL is
   * revoked now when nobody holds it, else as soon as the last holder lets go.
   */
  forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    if (entry.refs === 0) this.drop(key);
    else this.doomed.add(key);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.drop(key);
  }

  private trim(): void {
    while (this.idle.size > this.opts.maxIdle) this.drop(this.idle.values().next().value!);
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    this.idle.delete(key);
    this.doomed.delete(key);
    if (entry?.url) this.opts.revokeUrl(entry.url);
  }
}
