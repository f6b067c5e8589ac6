import path from 'node:path';
import type { Logger } from 'pino';
import type { Locker } from '@tus/utils';
import type { Bus } from '../bus/bus.js';
import type { Config } from '../config/config.js';
import { DiskBlobStore, type BlobStore } from './blob-store.js';
import { DiskIncoming, type IncomingUploads } from './incoming.js';
import { PgUploadLocker } from './tus-locker.js';

/** Where files live, chosen from the configuration once at start. */
export interface FileStorage {
  blobs: BlobStore;
  incoming: IncomingUploads;
  /** tus's lock for an upload; undefined is tus's in-process one (one node). */
  locker: Locker | undefined;
  close(): Promise<void>;
}

/**
 * Disk under DATA_DIR/files by default; the S3 bucket when `PARLEY_S3_BUCKET` is set (its SDK
 * is loaded only then). On PostgreSQL, where several nodes or workers may serve the same
 * uploads, tus locks through PostgreSQL (tus-locker.ts) whatever the storage.
 */
export async function openFileStorage(config: Config, bus: Bus, log: Logger): Promise<FileStorage> {
  const locker = config.databaseUrl ? new PgUploadLocker(config.databaseUrl, bus, log, config.pgSchema ?? 'public') : undefined;
  const closeLocker = async () => locker?.close();
  if (!config.s3Bucket) {
    if (config.s3Endpoint || config.s3AccessKeyId || config.s3Prefix) log.warn('PARLEY_S3_* settings without PARLEY_S3_BUCKET: files are stored on disk under DATA_DIR/files');
    const blobs = new DiskBlobStore(path.join(config.dataDir, 'files', 'blobs'));
    // Blobs and in-progress uploads share DATA_DIR/files, so finishing an upload is a rename.
    return { blobs, incoming: new DiskIncoming(path.join(config.dataDir, 'files', 'incoming'), blobs), locker, close: closeLocker };
  }
  const { openS3Bucket, S3BlobStore } = await import('./s3.js');
  const { S3Incoming } = await import('./s3-incoming.js');
  const s3 = await openS3Bucket(config);
  const blobs = new S3BlobStore(s3);
  const incoming = await S3Incoming.open(s3, blobs, path.join(config.dataDir, 'files', 'tmp'));
  log.info({ bucket: s3.bucket, prefix: s3.prefix, endpoint: config.s3Endpoint ?? 'aws' }, 'files are stored in S3');
  return {
    blobs,
    incoming,
    locker,
    close: async () => {
      await closeLocker();
      s3.close();
    },
  };
}
