import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import type * as S3Module from '@aws-sdk/client-s3';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { Config } from '../config/config.js';
import type { BlobStore } from './blob-store.js';

/** The AWS SDK's module, loaded only in S3 mode: on Node 20 merely importing it prints a warning. */
export type S3Sdk = typeof S3Module;

/** One bucket as Parley uses it: the client, and where its keys go. */
export interface S3Bucket {
  sdk: S3Sdk;
  client: S3Client;
  /** The client's settings, for @tus/s3-store, which builds its own client. */
  clientConfig: S3ClientConfig;
  bucket: string;
  /** '' or `prefix/`: prepended to every key Parley writes. */
  prefix: string;
  close(): void;
}

const SHA256 = /^[0-9a-f]{64}$/;
const MiB = 1024 * 1024;
/** S3's limit for one PUT and for one CopyObject. */
const SINGLE_REQUEST_MAX = 5 * 1024 * MiB;

/** NotFound for HEAD (no body, so no code), NoSuchKey for GET. */
export function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/**
 * Connects to the configured bucket and checks it answers, so a wrong endpoint, bucket or key
 * stops start-up with one clear sentence instead of failing the first upload.
 */
export async function openS3Bucket(config: Config): Promise<S3Bucket> {
  const bucket = config.s3Bucket!;
  if ((config.s3AccessKeyId === null) !== (config.s3SecretAccessKey === null)) {
    throw new Error('PARLEY_S3_ACCESS_KEY_ID and PARLEY_S3_SECRET_ACCESS_KEY go together: set both, or neither to use the AWS SDK credential chain');
  }
  const sdk = await import('@aws-sdk/client-s3');
  const clientConfig: S3ClientConfig = {
    region: config.s3Region,
    forcePathStyle: config.s3ForcePathStyle === 'auto' ? config.s3Endpoint !== null : config.s3ForcePathStyle === '1',
    maxAttempts: 3,
    ...(config.s3Endpoint ? { endpoint: config.s3Endpoint } : {}),
    ...(config.s3AccessKeyId && config.s3SecretAccessKey ? { credentials: { accessKeyId: config.s3AccessKeyId, secretAccessKey: config.s3SecretAccessKey } } : {}),
    // The SDK's default sends bodies aws-chunked with trailing checksums, which many S3-compatible
    // servers do not decode (they would store the framing with the bytes). TLS and our own sha256
    // guard the bytes; checksums stay on where a call requires one.
    ...(config.s3Endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
  };
  const client = new sdk.S3Client(clientConfig);
  try {
    await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    client.destroy();
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const why = status === 404 ? 'it does not exist' : status === 403 ? 'access denied (check the keys)' : `${(err as Error).name}: ${(err as Error).message}`;
    throw new Error(`S3 bucket "${bucket}" at ${config.s3Endpoint ?? `AWS ${config.s3Region}`} is not usable: ${why}. Check the PARLEY_S3_* settings.`);
  }
  const prefix = config.s3Prefix ? `${config.s3Prefix.replace(/\/$/, '')}/` : '';
  return { sdk, client, clientConfig, bucket, prefix, close: () => client.destroy() };
}

export interface S3BlobStoreOptions {
  /** Files larger than this go up in parts (S3 takes at most 5 GiB in one PUT). */
  multipartAbove?: number;
  partBytes?: number;
}

/** Blobs as objects `<prefix>blobs/ab/cd/<sha256>`, the same fan-out as on disk. */
export class S3BlobStore implements BlobStore {
  private readonly multipartAbove: number;
  private readonly partBytes: number;

  constructor(
    private readonly s3: S3Bucket,
    options: S3BlobStoreOptions = {},
  ) {
    this.multipartAbove = options.multipartAbove ?? SINGLE_REQUEST_MAX;
    this.partBytes = options.partBytes ?? 64 * MiB;
  }

  keyOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return `${this.s3.prefix}blobs/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  async putFile(sourcePath: string, sha256: string): Promise<void> {
    try {
      if ((await this.size(sha256)) !== null) return;
      const size = (await fsp.stat(sourcePath)).size;
      if (size > this.multipartAbove) await this.putInParts(sourcePath, size, this.keyOf(sha256));
      else {
        await this.s3.client.send(new this.s3.sdk.PutObjectCommand({ Bucket: this.s3.bucket, Key: this.keyOf(sha256), Body: fs.createReadStream(sourcePath), ContentLength: size }));
      }
    } finally {
      await fsp.rm(sourcePath, { force: true });
    }
  }

  /** A multipart upload from a local file, one part at a time (memory stays at one stream's buffer). */
  private async putInParts(file: string, size: number, key: string): Promise<void> {
    const { sdk, client, bucket } = this.s3;
    // S3 allows 10,000 parts: larger files get larger parts.
    const partBytes = Math.max(this.partBytes, Math.ceil(size / 10_000));
    const { UploadId } = await client.send(new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    try {
      const parts: { ETag: string; PartNumber: number }[] = [];
      for (let start = 0, n = 1; start < size; start += partBytes, n++) {
        const end = Math.min(size, start + partBytes);
        const res = await client.send(
          new sdk.UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: fs.createReadStream(file, { start, end: end - 1 }), ContentLength: end - start }),
        );
        parts.push({ ETag: res.ETag!, PartNumber: n });
      }
      await client.send(new sdk.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Makes the blob a server-side copy of another object in the bucket (a finished tus upload),
   * so its bytes do not travel through this node again. False when S3 cannot copy it in one
   * request (over 5 GiB); the caller then uploads its local copy.
   */
  async copyFrom(sourceKey: string, size: number, sha256: string): Promise<boolean> {
    if ((await this.size(sha256)) !== null) return true;
    if (size > SINGLE_REQUEST_MAX) return false;
    const source = `${this.s3.bucket}/${sourceKey.split('/').map(encodeURIComponent).join('/')}`;
    await this.s3.client.send(new this.s3.sdk.CopyObjectCommand({ Bucket: this.s3.bucket, Key: this.keyOf(sha256), CopySource: source, MetadataDirective: 'REPLACE' }));
    return true;
  }

  async putBytes(bytes: Buffer, sha256: string): Promise<void> {
    if ((await this.size(sha256)) !== null) return;
    await this.s3.client.send(new this.s3.sdk.PutObjectCommand({ Bucket: this.s3.bucket, Key: this.keyOf(sha256), Body: bytes, ContentLength: bytes.length }));
  }

  async size(sha256: string): Promise<number | null> {
    try {
      const head = await this.s3.client.send(new this.s3.sdk.HeadObjectCommand({ Bucket: this.s3.bucket, Key: this.keyOf(sha256) }));
      return head.ContentLength ?? 0;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  read(sha256: string, range?: { start: number; end: number }): Readable {
    // The interface hands back a stream at once; the object's body is piped in when S3 answers.
    const out = new PassThrough();
    const request = new this.s3.sdk.GetObjectCommand({ Bucket: this.s3.bucket, Key: this.keyOf(sha256), Range: range ? `bytes=${range.start}-${range.end}` : undefined });
    this.s3.client.send(request, { abortSignal: abortWhenClosed(out) }).then(
      (res) => {
        const body = res.Body as Readable | undefined;
        if (!body) return void out.end();
        body.on('error', (err) => out.destroy(err));
        out.on('close', () => body.destroy());
        body.pipe(out);
      },
      (err: unknown) => out.destroy(err as Error),
    );
    return out;
  }

  async delete(sha256: string): Promise<void> {
    // DeleteObject succeeds for a key that is not there, as the interface asks.
    await this.s3.client.send(new this.s3.sdk.DeleteObjectCommand({ Bucket: this.s3.bucket, Key: this.keyOf(sha256) }));
  }
}

/** Aborts S3's request when the download's reader goes away before the body arrives. */
function abortWhenClosed(stream: PassThrough): AbortSignal {
  const ac = new AbortController();
  stream.once('close', () => ac.abort());
  return ac.signal;
}
