import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import { plural } from '@parley/protocol';
import type { Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { UploadsTable } from '../store/schema.js';
import type { BlobStore } from './blob-store.js';
import { BlobCollector } from './collector.js';
import type { IncomingUploads } from './incoming.js';
import { inspect, sha256Of } from './inspect.js';

const MiB = 1024 * 1024;
const sizeText = (n: number) => (n >= MiB ? `${Math.floor(n / MiB)} MiB` : plural(n, 'byte'));

/** PostgreSQL returns bigint columns as strings. */
function normalise(row: UploadsTable): UploadsTable {
  return {
    ...row,
    size: Number(row.size),
    offset: Number(row.offset),
    created_at: Number(row.created_at),
    completed_at: row.completed_at === null ? null : Number(row.completed_at),
  };
}

/** Uploads: the rows behind tus resources, their limits, and what completion learns from the bytes. */
export class FilesService {
  /** Deletes the bytes no upload references any more (files/collector.ts). */
  readonly collector: BlobCollector;
  /** Hashes of uploads in progress, fed by the tus store as bytes arrive (files/hashing-store.ts). */

  constructor(
    private readonly deps: Deps,
    readonly blobs: BlobStore,
    /** Where tus keeps bytes while an upload is in progress (disk or the S3 bucket). */
    readonly incoming: IncomingUploads,
  ) {
    this.collector = new BlobCollector(deps, blobs);
  }

  get maxUploadBytes(): number {
    return this.deps.config.limits.maxUploadBytes;
  }

  /**
   * Checks a new upload against the size limit and the uploader's quota and records it, before
   * a byte is accepted. The quota counts every upload the user holds, finished or in progress
   * at its declared length, so parallel uploads cannot pass it together one by one.
   */
  async create(userId: string, length: number, name: string): Promise<string> {
    const { maxUploadBytes, userQuotaBytes } = this.deps.config.limits;
    if (length > maxUploadBytes) throw new AppError('payload_too_large', `A file has at most ${sizeText(maxUploadBytes)}.`, { field: 'Upload-Length' });
    const id = newId();
    await this.deps.db.transaction().execute(async (tx) => {
      // One creation per user at a time, so two parallel ones cannot both fit in the last room.
      // On SQLite the transaction already holds the only writer; PostgreSQL locks the user's row.
      if (this.deps.pg) await tx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
      const used = await tx
        .selectFrom('uploads')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), eb.lit(0)).as('used'))
        .where('uploader_id', '=', userId)
        .executeTakeFirst();
      if (Number(used?.used ?? 0) + length > userQuotaBytes) {
        throw new AppError('quota_exceeded', `Your files would take more than your quota of ${sizeText(userQuotaBytes)}.`, { field: 'Upload-Length' });
      }
      await tx
        .insertInto('uploads')
        .values({
          id,
          uploader_id: userId,
          name: name.slice(0, 255),
          size: length,
          offset: 0,
          state: 'uploading',
          created_at: this.deps.now(),
          completed_at: null,
          sha256: null,
          mime: null,
          width: null,
          height: null,
          preview: null,
          thumb_sha256: null,
          message_id: null,
          attach_pos: null,
        })
        .execute();
    });
    return id;
  }

  private sweeper: NodeJS.Timeout | null = null;

  /**
   * Deletes uploads no message attached within the expiry, finished or not, and gives their
   * quota back. In-progress bytes go with them; a finished upload's blob is left to the
   * collector, which deletes it once no other upload shares it. Returns how many went.
   */
  async sweep(): Promise<number> {
    const expiry = this.deps.config.uploadExpiryMs;
    if (expiry === null) return 0;
    const stale = await this.deps.db
      .selectFrom('uploads')
      .select(['id', 'state'])
      .where('message_id', 'is', null)
      .where('created_at', '<', this.deps.now() - expiry)
      .limit(1000)
      .execute();
    let n = 0;
    for (const up of stale) {
      // Guarded again: a send may have attached it since the select.
      const res = await this.deps.db.deleteFrom('uploads').where('id', '=', up.id).where('message_id', 'is', null).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) continue;
      n++;
      if (up.state === 'uploading') await this.incoming.discard(up.id);
    }
    if (n > 0) this.collector.kick();
    return n;
  }

  /** Sweeps now and then: every tenth of the expiry, at least each minute and at most each hour. */
  startSweeper(): void {
    const expiry = this.deps.config.uploadExpiryMs;
    if (expiry === null || this.sweeper) return;
    const every = Math.min(3_600_000, Math.max(60_000, Math.floor(expiry / 10)));
    this.sweeper = setInterval(() => void this.sweep().catch((err: unknown) => this.deps.log.warn({ err }, 'sweeping expired uploads failed')), every);
    this.sweeper.unref();
  }

  stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  /** Deletes an upload no message carries; false when one attached it meanwhile. */
  async discard(id: string): Promise<boolean> {
    const res = await this.deps.db.deleteFrom('uploads').where('id', '=', id).where('message_id', 'is', null).executeTakeFirst();
    const gone = Number(res.numDeletedRows) > 0;
    if (gone) this.collector.kick();
    return gone;
  }

  /** Tus refused the creation after the row was written: give the quota back. */
  async forget(id: string): Promise<void> {
    await this.deps.db.deleteFrom('uploads').where('id', '=', id).where('state', '=', 'uploading').execute();
  }

  /** The upload if `userId` uploaded it; otherwise none, so others learn nothing of it. */
  async ownUpload(userId: string, id: string): Promise<UploadsTable | null> {
    const row = await this.deps.db.selectFrom('uploads').selectAll().where('id', '=', id).where('uploader_id', '=', userId).executeTakeFirst();
    return row ? normalise(row) : null;
  }

  /**
   * A finished upload the actor may download: before it is attached, its uploader's alone; once
   * attached, exactly whoever may read the message carrying it (`readMessage` is that rule, and
   * 404s otherwise). A recalled message's files are gone with it; a burn message's are readable
   * only as its text is. Every refusal is the answer
   * for an id that does not exist.
   */
  async readable(
    userId: string,
    id: string,
    readMessage: (messageId: string) => Promise<{ id: string; sender_id: string; recalled_at: number | null; burn_after_ms: number | null; burned_at: number | null }>,
  ): Promise<UploadsTable> {
    const missing = () => new AppError('not_found', 'No such file.');
    const found = await this.deps.db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
    if (!found || found.state !== 'complete' || found.sha256 === null) throw missing();
    const row = normalise(found);
    if (row.message_id === null) {
      if (row.uploader_id !== userId) throw missing();
      return row;
    }
    let message: Awaited<ReturnType<typeof readMessage>>;
    try {
      message = await readMessage(row.message_id);
    } catch (e) {
      throw e instanceof AppError && e.code === 'not_found' ? missing() : e;
    }
    if (message.recalled_at !== null) throw missing();
    // A burn message's files, like its text, are its sender's and each reader's only between
    // their reveal and their burn (messages/burn.ts).
    if (message.burn_after_ms !== null && (message.burned_at !== null || (message.sender_id !== userId && !(await this.revealedTo(message.id, userId))))) throw missing();
    return row;
  }

  private async revealedTo(messageId: string, userId: string): Promise<boolean> {
    const r = await this.deps.db.selectFrom('burn_reveals').select('burns_at').where('message_id', '=', messageId).where('user_id', '=', userId).executeTakeFirst();
    return r !== undefined && Number(r.burns_at) > this.deps.now();
  }

  /**
   * Every byte has arrived: learn the type from the bytes, strip image metadata, hash, move the
   * bytes into the blob store (a blob with the same hash is reused) and record it all. The blobs
   * are claimed before their bytes are put or reused, so the collector cannot delete bytes this
   * upload is about to reference (see files/collector.ts).
   */
  async complete(id: string): Promise<void> {
    const file = await this.incoming.fetch(id);
    let sha256: string;
    let found: Awaited<ReturnType<typeof inspect>>;
    let thumb: string | null = null;
    try {
      found = await inspect(file.path);
      const { size } = await fsp.stat(file.path);
      // Hashed as the bytes arrived when they all went through this process (disk mode); read again otherwise.
      sha256 = (!found.rewritten && file.streamedSha256(size)) || (await sha256Of(file.path));
      const thumbnail = found.thumbnail;
      thumb = thumbnail ? crypto.createHash('sha256').update(thumbnail).digest('hex') : null;
      const claims = [{ sha256, size }];
      if (thumb && thumbnail) claims.push({ sha256: thumb, size: thumbnail.length });
      await this.collector.claim(claims);
      if (thumb && thumbnail) await this.blobs.putBytes(thumbnail, thumb);
      // Consumes the file and tus's record of the upload: the row below answers for it from now on.
      await file.store(sha256);
    } catch (err) {
      await file.release();
      throw err;
    }
    const size = (await this.blobs.size(sha256)) ?? 0;
    await this.deps.db
      .updateTable('uploads')
      .set({ state: 'complete', offset: size, size, completed_at: this.deps.now(), sha256, mime: found.mime, width: found.width, height: found.height, preview: found.preview, thumb_sha256: thumb })
      .where('id', '=', id)
      .execute();
  }
}
