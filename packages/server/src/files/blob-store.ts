import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where file bytes live, addressed by their sha256: the same content uploaded twice is stored
 * once. Metadata (who, name, type) is in the database; this knows only bytes. On disk under
 * DATA_DIR by default; in an S3-compatible bucket when one is configured (s3.ts).
 */
export interface BlobStore {
  /** Moves a finished file into the store under its hash (consumes `sourcePath`); a blob already there is kept. */
  putFile(sourcePath: string, sha256: string): Promise<void>;
  /** Stores bytes made on the server (thumbnails). */
  putBytes(bytes: Buffer, sha256: string): Promise<void>;
  /** Size in bytes, or null when no such blob exists. */
  size(sha256: string): Promise<number | null>;
  /** The blob's bytes; `end` is inclusive, as in a Range header. */
  read(sha256: string, range?: { start: number; end: number }): Readable;
  /**
   * Deletes the blob; a blob already gone is not an error. Only the collector calls it, once no
   * upload references the blob (files/collector.ts).
   */
  delete(sha256: string): Promise<void>;
}

const SHA256 = /^[0-9a-f]{64}$/;

export class DiskBlobStore implements BlobStore {
  constructor(private readonly root: string) {
    fs.mkdirSync(root, { recursive: true });
  }

  /** Two levels of fan-out keep a directory from holding millions of entries. */
  private pathOf(sha256: string): string {
    // The hash is always ours, never a client's; checked anyway, since it becomes a path.
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async putFile(sourcePath: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    if (await this.size(sha256)) {
      await fsp.rm(sourcePath, { force: true });
      return;
    }
    await fsp.mkdir(path.dirname(target), { recursive: true });
    // Same file system (both under DATA_DIR/files): a rename is atomic, so a reader never sees half a blob.
    await fsp.rename(sourcePath, target);
  }

  async putBytes(bytes: Buffer, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    if ((await this.size(sha256)) !== null) return;
    await fsp.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
    await fsp.writeFile(tmp, bytes);
    await fsp.rename(tmp, target);
  }

  async size(sha256: string): Promise<number | null> {
    try {
      return (await fsp.stat(this.pathOf(sha256))).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  read(sha256: string, range?: { start: number; end: number }): Readable {
    return fs.createReadStream(this.pathOf(sha256), range);
  }

  async delete(sha256: string): Promise<void> {
    // A reader that opened the file before keeps its bytes until it closes (POSIX unlink).
    await fsp.rm(this.pathOf(sha256), { force: true });
  }
}
