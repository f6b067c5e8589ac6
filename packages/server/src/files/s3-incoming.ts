import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataStore, KvStore } from '@tus/utils';
import type { MetadataValue } from '@tus/s3-store';
import type { FinishedUpload, IncomingUploads } from './incoming.js';
import { isMissing, type S3BlobStore, type S3Bucket } from './s3.js';

const MiB = 1024 * 1024;

/**
 * @tus/s3-store caches each upload's metadata (its S3 multipart upload id and declared size) in
 * memory. Both are fixed at creation (Parley refuses deferred lengths), so a cache per node stays
 * right when the upload moves to another node; this one only caps the entries an upload that
 * finished elsewhere leaves behind.
 */
class BoundedCache implements KvStore<MetadataValue> {
  private readonly map = new Map<string, MetadataValue>();
  constructor(private readonly max = 10_000) {}
  async get(key: string) {
    return this.map.get(key);
  }
  async set(key: string, value: MetadataValue) {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
  async delete(key: string) {
    this.map.delete(key);
  }
}

/**
 * In-progress uploads in the bucket, written by @tus/s3-store: an S3 multipart upload per tus
 * upload at `<prefix>incoming/<id>`, its record `<id>.info`, and `<id>.part` holding a tail
 * shorter than S3's 5 MiB minimum part until more bytes come. Any node reads the same state,
 * so a client may resume on another node (the tus locker keeps two nodes from writing at once).
 * On completion S3 has assembled the object; it is copied to its blob key inside S3.
 */
export class S3Incoming implements IncomingUploads {
  private constructor(
    readonly datastore: DataStore,
    private readonly s3: S3Bucket,
    private readonly blobs: S3BlobStore,
    /** Local scratch space for completion (under DATA_DIR). */
    private readonly tmpDir: string,
  ) {}

  static async open(s3: S3Bucket, blobs: S3BlobStore, tmpDir: string): Promise<S3Incoming> {
    await fsp.mkdir(tmpDir, { recursive: true });
    const { S3Store } = await import('@tus/s3-store');
    /** tus's termination leaves the `.part` tail behind; Parley's does not. */
    class Store extends S3Store {
      override async remove(id: string): Promise<void> {
        await super.remove(id);
        await this.deleteIncompletePart(id);
      }
    }
    const datastore = new Store({ partSize: 8 * MiB, cache: new BoundedCache(), s3ClientConfig: { ...s3.clientConfig, bucket: s3.bucket } });
    return new S3Incoming(datastore, s3, blobs, tmpDir);
  }

  tusId(uploadId: string): string {
    return `${this.s3.prefix}incoming/${uploadId}`;
  }

  uploadId(tusId: string): string {
    return tusId.slice(tusId.lastIndexOf('/') + 1);
  }

  async fetch(uploadId: string): Promise<FinishedUpload> {
    const key = this.tusId(uploadId);
    const file = path.join(this.tmpDir, `${uploadId}.${crypto.randomBytes(4).toString('hex')}`);
    const { sdk, client, bucket } = this.s3;
    const res = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
    // Hashed as it streams to disk: if completion leaves the bytes as they came, S3 can copy
    // the object it already has instead of this node uploading the file again.
    const uploaded = crypto.createHash('sha256');
    let size = 0;
    const body = res.Body as Readable;
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            uploaded.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        fs.createWriteStream(file),
      );
    } catch (err) {
      await fsp.rm(file, { force: true });
      throw err;
    }
    const asUploaded = uploaded.digest('hex');
    return {
      path: file,
      store: async (sha256) => {
        if (sha256 === asUploaded && (await this.blobs.copyFrom(key, size, sha256))) await fsp.rm(file, { force: true });
        else await this.blobs.putFile(file, sha256);
        await this.deleteObjects(key);
      },
      release: () => fsp.rm(file, { force: true }),
      // The bytes may have come through several nodes: this one never saw them all.
      streamedSha256: () => null,
    };
  }

  async discard(uploadId: string): Promise<void> {
    const key = this.tusId(uploadId);
    try {
      // Aborts the multipart upload, so S3 frees its parts.
      await this.datastore.remove(key);
    } catch (err) {
      // Never started, or already gone.
      if ((err as { status_code?: number }).status_code !== 404 && !isMissing(err)) throw err;
    }
    await this.deleteObjects(key);
  }

  /** Everything tus keeps for an upload: the (assembled) object, its record and its tail. */
  private async deleteObjects(key: string): Promise<void> {
    const { sdk, client, bucket } = this.s3;
    await client.send(new sdk.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: key }, { Key: `${key}.info` }, { Key: `${key}.part` }], Quiet: true } }));
  }
}
