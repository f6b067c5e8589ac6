/**
 * A real S3 API server for tests: s3rver (objects on a temporary directory), on a free port.
 * s3rver 3.7 speaks most of S3 but not three multipart-upload calls that @tus/s3-store makes
 * (ListParts, AbortMultipartUpload, ListMultipartUploads); they are added here over s3rver's
 * own upload state (one directory per upload holding numbered part files), so every byte still
 * goes through s3rver's HTTP API and its store.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import type { ConfigOverrides } from '../config/config.js';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the bucket's objects (to count them). */
  dir: string;
  /** The settings that point a node at this bucket. */
  settings: Pick<ConfigOverrides, 's3Endpoint' | 's3Bucket' | 's3AccessKeyId' | 's3SecretAccessKey' | 's3Region' | 's3ForcePathStyle' | 's3Prefix'>;
  close(): Promise<void>;
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  status: number;
  body: unknown;
}
type Next = () => Promise<unknown>;

/** The multipart calls s3rver lacks, answered from its upload directories. */
function multipartExtras(root: string) {
  const uploadsDir = (bucket: string) => path.join(root, bucket, '._S3rver_uploads');
  return async (ctx: KoaContext, next: Next) => {
    const m = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    const uploadId = ctx.query.uploadId;
    if (!m || uploadId === undefined || !/^[0-9a-f]+$/.test(uploadId) || (ctx.method !== 'GET' && ctx.method !== 'DELETE')) return next();
    const [, bucket, key] = m;
    const dir = path.join(uploadsDir(bucket!), uploadId);
    if (!fs.existsSync(dir)) {
      ctx.status = 404;
      ctx.body = { Error: { Code: 'NoSuchUpload', Message: 'The specified upload does not exist.', UploadId: uploadId } };
      return;
    }
    if (ctx.method === 'DELETE') {
      await fsp.rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = '';
      return;
    }
    const numbers = (await fsp.readdir(dir))
      .filter((f) => /^\d+$/.test(f))
      .map(Number)
      .sort((a, b) => a - b);
    const parts = await Promise.all(
      numbers.map(async (n) => ({
        PartNumber: n,
        ETag: `"${(await fsp.readFile(path.join(dir, `${n}.md5`), 'utf8')).trim()}"`,
        Size: (await fsp.stat(path.join(dir, String(n)))).size,
      })),
    );
    ctx.body = { ListPartsResult: { Bucket: bucket, Key: decodeURIComponent(key!), UploadId: uploadId, IsTruncated: false, Part: parts } };
  };
}

/** Starts s3rver with one bucket; rejects when it cannot start (the caller skips its tests). */
export async function startS3(bucket = `parley-test-${process.pid}`): Promise<TestS3> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  // Before s3rver's router, which is the last middleware and refuses these calls.
  server.middleware.splice(server.middleware.length - 1, 0, multipartExtras(dir));
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    bucket,
    dir,
    settings: { s3Endpoint: endpoint, s3Bucket: bucket, s3AccessKeyId: 'S3RVER', s3SecretAccessKey: 'S3RVER', s3Region: 'us-east-1', s3ForcePathStyle: '1' },
    async close() {
      await server.close();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}
