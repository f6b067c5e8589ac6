import type { Attachment } from '@parley/protocol';
import { UrlCache } from './url-cache';

/** A download the server refused (404: the file is gone or not ours to read). */
export class FileFetchError extends Error {
  constructor(readonly status: number) {
    super(`file download failed with HTTP ${status}`);
  }
}

/**
 * File bytes over the REST API. Downloads need the bearer token, which an <img src> cannot
 * carry and which must never be put in a URL (it would land in history and logs), so bytes are
 * fetched with the header and shown through object URLs, shared and revoked by UrlCache.
 */
export class FilesApi {
  /** Thumbnails: small, many on screen, kept generously. */
  readonly thumbs: UrlCache;
  /** Full files (the lightbox): large, only a few kept. */
  readonly full: UrlCache;

  constructor(
    private readonly token: () => Promise<string>,
    private readonly origin: string = location.origin,
  ) {
    const common = { createUrl: (b: Blob) => URL.createObjectURL(b), revokeUrl: (u: string) => URL.revokeObjectURL(u) };
    this.thumbs = new UrlCache({ ...common, load: (id) => this.blob(id, true), maxIdle: 150 });
    this.full = new UrlCache({ ...common, load: (id) => this.blob(id, false), maxIdle: 4 });
  }

  async blob(id: string, thumbnail: boolean): Promise<Blob> {
    const res = await fetch(`${this.origin}/api/v1/files/${encodeURIComponent(id)}${thumbnail ? '/thumbnail' : ''}`, {
      headers: { authorization: `Bearer ${await this.token()}` },
    });
    if (!res.ok) throw new FileFetchError(res.status);
    return res.blob();
  }

  /** Saves the file under its name, as a click on a download link would. */
  async download(a: Pick<Attachment, 'id' | 'name'>): Promise<void> {
    const held = this.full.acquire(a.id);
    try {
      const url = await held.url;
      const link = document.createElement('a');
      link.href = url;
      link.download = a.name;
      link.rel = 'noopener';
      document.body.appendChild(link);
      link.click();
      link.remove();
    } finally {
      // The browser has started reading the URL; keeping it idle in the cache a while is enough.
      held.release();
    }
  }

  clear(): void {
    this.thumbs.clear();
    this.full.clear();
  }
}
