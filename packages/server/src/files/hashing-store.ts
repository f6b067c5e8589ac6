import crypto from 'node:crypto';
import type http from 'node:http';
import { pipeline, Transform, type Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';

/** Uploads whose hash is kept between PATCHes; past it the oldest are dropped (and re-read). */
const MAX_KEPT = 10_000;

/**
 * The sha256 of each upload in progress, fed by the bytes as they arrive, so completion does not
 * read the whole file again (in `npm run bench -- upload` the second read and hash took ~40 % of
 * the server's main thread). A hash continues only over consecutive bytes written by this
 * process: a PATCH that starts anywhere else (a resume on another node, a restart, a cut write
 * whose bytes may be on disk unhashed) drops it, and completion then hashes the file instead.
 */
export class StreamedHashes {
  private readonly kept = new Map<string, { hash: crypto.Hash; offset: number }>();

  /** A hash to feed with bytes written from `offset`, or null when it would not cover them all. */
  begin(id: string, offset: number): crypto.Hash | null {
    const state = this.kept.get(id);
    this.kept.delete(id);
    if (offset === 0) return crypto.createHash('sha256');
    return state && state.offset === offset ? state.hash : null;
  }

  /** The bytes fed to `hash` are on disk, up to `offset`. */
  wrote(id: string, hash: crypto.Hash, offset: number): void {
    this.kept.set(id, { hash, offset });
    if (this.kept.size > MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
  }

  /** The file's sha256 if every one of its `size` bytes went through a hash here; taken once. */
  take(id: string, size: number): string | null {
    const state = this.kept.get(id);
    this.kept.delete(id);
    return state && state.offset === size ? state.hash.digest('hex') : null;
  }
}

/** tus's file store, hashing what it writes on the way through (no copy, no extra buffering). */
export class HashingFileStore extends FileStore {
  constructor(
    options: ConstructorParameters<typeof FileStore>[0],
    private readonly hashes: StreamedHashes,
  ) {
    super(options);
  }

  override async write(readable: http.IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    const hash = this.hashes.begin(id, offset);
    if (!hash) return super.write(readable, id, offset);
    const tee = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // Errors travel both ways as when the store pipes `readable` itself: a failed source fails
    // the write, a failed write destroys the source. The callback only keeps them handled.
    const end = await super.write(
      pipeline(readable, tee, () => undefined),
      id,
      offset,
    );
    this.hashes.wrote(id, hash, end);
    return end;
  }
}
