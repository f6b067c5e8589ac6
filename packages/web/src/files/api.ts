import { ownAvatarUser, type Attachment } from '@parley/protocol';
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
  /** Uploaded avatars, keyed by their versioned same-origin path (ui/Avatar.tsx): small, many on screen. */
  readonly avatars: UrlCache;

  constructor(
    private readonly token: () => Promise<string>,
    private readonly origin: string = location.origin,
  ) {
    const common = { createUrl: (b: Blob) => URL.createObjectURL(b), revokeUrl: (u: string) => URL.revokeObjectURL(u) };
    this.thumbs = new UrlCache({ ...common, load: (id) => this.blob(id, true), maxIdle: 150 });
    this.full = new UrlCache({ ...common, load: (id) => this.blob(id, false), maxIdle: 4 });
    this.avatars = new UrlCache({ ...common, load: (path) => this.avatar(path), maxIdle: 200 });
  }

  async blob(id: string, thumbnail: boolean): Promise<Blob> {
    const res = await fetch(`${this.origin}/api/v1/files/${encodeURIComponent(id)}${thumbnail ? '/thumbnail' : ''}`, {
      headers: { authorization: `Bearer ${await this.token()}` },
    });
    if (!res.ok) throw new FileFetchError(res.status);
    return res.blob();
  }

  /**
   * An uploaded avatar's bytes. Only ever one of the server's own avatar paths (ownAvatarUser),
   * never a URL a user typed: fetching that would tell its host who reads the conversation.
   */
  async avatar(path: string): Promise<Blob> {
    if (!ownAvatarUser(path)) throw new FileFetchError(404);
    // The path is versioned by content, so the browser's HTTP cache may answer it for good.
    const res = await fetch(`${this.origin}${path}`, { headers: { authorization: `Bearer ${await this.token()}` } });
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
