import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import * as tus from 'tus-js-client';
import { ParleyError } from './errors.js';
import { bytesFingerprint, type StoredUpload, type UploadPlatform, type UploadSource, type UploadUrlStorage } from './uploads.js';

/** Bytes per PATCH when the source cannot be sent whole without holding it in memory. */
const CHUNK = 8 * 1024 * 1024;

/** Unfinished uploads of this process, for `resume: true` under Node. */
class MemoryUrlStorage implements UploadUrlStorage {
  private readonly items = new Map<string, StoredUpload>();
  private next = 1;
  async findAllUploads(): Promise<StoredUpload[]> {
    return [...this.items.entries()].map(([k, v]) => ({ ...v, urlStorageKey: k }));
  }
  async findUploadsByFingerprint(fingerprint: string): Promise<StoredUpload[]> {
    return (await this.findAllUploads()).filter((u) => u.urlStorageKey.startsWith(`${fingerprint}::`));
  }
  async removeUpload(key: string): Promise<void> {
    this.items.delete(key);
  }
  async addUpload(fingerprint: string, upload: StoredUpload): Promise<string> {
    const key = `${fingerprint}::${this.next++}`;
    this.items.set(key, upload);
    return key;
  }
}
const memory = new MemoryUrlStorage();
const NONE: UploadUrlStorage = { findAllUploads: async () => [], findUploadsByFingerprint: async () => [], removeUpload: async () => undefined, addUpload: async () => '' };

/** A Blob read a slice at a time (Node's tus reader does not read Blobs; `fs.openAsBlob` gives file-backed ones). */
class BlobSource {
  constructor(
    private readonly blob: Blob,
    readonly size = blob.size,
  ) {}
  async slice(start: number, end: number): Promise<{ value: Buffer & { size?: number }; done: boolean }> {
    const value: Buffer & { size?: number } = Buffer.from(await this.blob.slice(start, end).arrayBuffer());
    // The HTTP stack sets Content-Length from `size`.
    value.size = value.length;
    return { value, done: end >= this.size };
  }
  close(): void {}
}

// Node's build has a file-backed URL storage that its type declarations do not list.
const { FileUrlStorage } = tus as unknown as { FileUrlStorage: new (file: string) => UploadUrlStorage };
const tusReader = tus.defaultOptions.fileReader;
const nodeReader = {
  openFile(input: unknown, chunkSize: number) {
    if (input instanceof Blob) return Promise.resolve(new BlobSource(input));
    return tusReader.openFile(input, chunkSize);
  },
};

/** Node: bytes as a Buffer (no copy), file streams read by position, resumable URLs in memory or a JSON file. */
export const nodeUploads: UploadPlatform = {
  fileReader: nodeReader,
  async prepare(source: UploadSource, size: number | undefined) {
    if (source instanceof Uint8Array) {
      const buf = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
      return { file: buf, size: buf.length, name: null, fingerprint: await bytesFingerprint(source) };
    }
    if (source instanceof Blob) {
      const name = (source as Blob & { name?: unknown }).name;
      return { file: source, size: source.size, name: typeof name === 'string' ? name : null, fingerprint: null, chunkSize: CHUNK };
    }
    if (source instanceof fs.ReadStream && typeof source.path === 'string') {
      // tus reads the file by position (so a retry re-reads what the server lacks), not through the stream.
      let st: fs.Stats;
      try {
        st = await fs.promises.stat(source.path);
      } catch (e) {
        throw new ParleyError('invalid_request', `Cannot read ${source.path}: ${(e as Error).message}`);
      }
      if (!st.isFile()) throw new ParleyError('invalid_request', `${source.path} is not a file.`);
      const full = path.resolve(source.path);
      return { file: source, size: st.size, name: path.basename(full), fingerprint: `path:${full}:${st.size}:${st.mtimeMs}` };
    }
    if (source instanceof Readable) {
      if (size === undefined || !Number.isSafeInteger(size) || size < 0) throw new ParleyError('invalid_request', 'Uploading a stream needs its size: pass { size }.');
      return { file: source, size, name: null, fingerprint: null, chunkSize: CHUNK };
    }
    throw new ParleyError('invalid_request', 'Upload a Buffer, a Uint8Array, a Blob or a readable stream.');
  },
  urlStorage(resume) {
    if (resume === undefined || resume === false) return NONE;
    if (resume === true) return memory;
    if (typeof resume === 'string') return new FileUrlStorage(resume);
    return resume;
  },
};
