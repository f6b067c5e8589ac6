import fsp from 'node:fs/promises';
import path from 'node:path';
import type { DataStore } from '@tus/utils';
import { HashingFileStore, StreamedHashes } from './hashing-store.js';
import type { BlobStore } from './blob-store.js';

/**
 * Uploads in progress: where tus keeps bytes until the last one arrives, and how completion
 * gets them back and hands them to the blob store. On disk, a directory beside the blobs (so
 * finishing is a rename); in S3 mode, objects in the shared bucket (s3-incoming.ts), which is
 * what lets an upload begun on one node resume on another.
 */
export interface IncomingUploads {
  /** The tus datastore that writes in-progress bytes. */
  readonly datastore: DataStore;
  /** tus's name for an upload (S3 keys carry the configured prefix), and back. */
  tusId(uploadId: string): string;
  uploadId(tusId: string): string;
  /** A finished upload's bytes as a local file, to inspect and hash. */
  fetch(uploadId: string): Promise<FinishedUpload>;
  /** Deletes what an unfinished upload left (expiry); nothing there is no error. */
  discard(uploadId: string): Promise<void>;
}

export interface FinishedUpload {
  /** A local file with the bytes; completion may rewrite it (image metadata stripped). */
  readonly path: string;
  /** Stores the file's current bytes as blob `sha256` (reusing one already there) and deletes the upload's leftovers. */
  store(sha256: string): Promise<void>;
  /** Completion failed: drop the local copy (the upload keeps its bytes). */
  release(): Promise<void>;
  /** The sha256 of the file's `size` bytes if they were hashed as they arrived (hashing-store.ts); null to hash the file. */
  streamedSha256(size: number): string | null;
}

/** In-progress uploads as files `DATA_DIR/files/incoming/<id>` (and tus's `<id>.json`). */
export class DiskIncoming implements IncomingUploads {
  readonly datastore: DataStore;
  private readonly hashes = new StreamedHashes();

  constructor(
    private readonly dir: string,
    private readonly blobs: BlobStore,
  ) {
    this.datastore = new HashingFileStore({ directory: dir }, this.hashes);
  }

  tusId(uploadId: string): string {
    return uploadId;
  }

  uploadId(tusId: string): string {
    return tusId;
  }

  async fetch(uploadId: string): Promise<FinishedUpload> {
    const file = path.join(this.dir, uploadId);
    return {
      path: file,
      store: async (sha256) => {
        // Same file system as the blobs: a rename.
        await this.blobs.putFile(file, sha256);
        await fsp.rm(`${file}.json`, { force: true });
      },
      release: async () => undefined,
      streamedSha256: (size) => this.hashes.take(uploadId, size),
    };
  }

  async discard(uploadId: string): Promise<void> {
    const file = path.join(this.dir, uploadId);
    await Promise.all([fsp.rm(file, { force: true }), fsp.rm(`${file}.json`, { force: true })]);
  }
}
