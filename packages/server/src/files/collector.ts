import type { Deps } from '../core/context.js';
import type { BlobStore } from './blob-store.js';

/** Blobs looked at per pass; a pass repeats until fewer come back. */
const BATCH = 500;

/**
 * Deletes blob bytes no upload references any more (a recalled message's files, expired uploads)
 * and gives nothing else a chance to lose bytes it needs.
 *
 * The `blobs` table (migration 009) has one row per stored blob. Completion claims a blob
 * (`claim`: upsert, `last_used_at` = now) BEFORE it puts or reuses the bytes, and records the
 * upload's reference after. The collector deletes a blob only in one transaction that
 *   1. deletes its row where no upload references it (as file or thumbnail) and it was not
 *      claimed within the grace period, then
 *   2. deletes the bytes, and only then commits.
 * A completion with the same sha256 either claimed first (step 1 then finds a fresh row and
 * keeps it), or claims while the collector holds the row: on PostgreSQL its upsert waits on the
 * deleted row's lock, on SQLite on the one writer, and after the commit it inserts a new row and
 * finds no bytes, so it writes its own. The grace period covers the time between a claim and the
 * upload row's reference, so it must outlast the slowest completion (a put to S3 included).
 */
export class BlobCollector {
  private timer: NodeJS.Timeout | null = null;
  /** The pass running now; passes never overlap, and a kick during one runs once more after it. */
  private running: Promise<number> = Promise.resolve(0);
  private kicked = false;
  private stopped = false;

  constructor(
    private readonly deps: Deps,
    private readonly blobs: BlobStore,
  ) {}

  /** Records that an upload is about to use these blobs; call before putting or reusing their bytes. */
  async claim(blobs: readonly { sha256: string; size: number | null }[]): Promise<void> {
    const now = this.deps.now();
    for (const b of blobs) {
      await this.deps.db
        .insertInto('blobs')
        .values({ sha256: b.sha256, size: b.size, last_used_at: now })
        .onConflict((oc) => oc.column('sha256').doUpdateSet({ last_used_at: now, size: b.size }))
        .execute();
    }
  }

  /**
   * Runs `work` with no pass running or starting meanwhile (a backup copying files the database
   * snapshot references: one recalled after the snapshot keeps its bytes until it is copied).
   */
  hold<T>(work: () => Promise<T>): Promise<T> {
    const next = this.running.catch(() => 0).then(work);
    this.running = next.then(
      () => 0,
      () => 0,
    );
    return next;
  }

  /** Deletes every unreferenced blob past its grace, after any pass already running; returns how many went. */
  collect(): Promise<number> {
    const next = this.running.catch(() => 0).then(() => this.pass());
    this.running = next;
    return next;
  }

  /** Collects soon, without waiting (after a recall or a sweep); kicks during a pass run one more. */
  kick(): void {
    if (this.kicked || this.stopped) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.collect().catch((err: unknown) => this.deps.log.warn({ err }, 'collecting unreferenced files failed'));
    });
  }

  /** Collects every grace period, at least each minute and at most each hour. */
  start(): void {
    if (this.timer) return;
    this.stopped = false;
    const every = Math.min(3_600_000, Math.max(60_000, this.deps.config.blobGraceMs));
    this.timer = setInterval(() => this.kick(), every);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass under way, so the store is not closed under it. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopped = true;
    // A kick queued just before is dropped by the flag; one already started is awaited here.
    await new Promise((resolve) => setImmediate(resolve));
    await this.running.catch(() => 0);
  }

  private async pass(): Promise<number> {
    let gone = 0;
    for (;;) {
      const cutoff = this.deps.now() - this.deps.config.blobGraceMs;
      const candidates = await this.unreferenced(cutoff).limit(BATCH).execute();
      let dropped = 0;
      for (const { sha256 } of candidates) if (await this.drop(sha256, cutoff)) dropped++;
      gone += dropped;
      if (candidates.length < BATCH || dropped === 0) return gone;
    }
  }

  /** Blobs no upload (file or thumbnail) and no user's uploaded avatar (users/avatar.ts) references. */
  private unreferenced(cutoff: number) {
    return this.deps.db
      .selectFrom('blobs as b')
      .select('b.sha256')
      .where('b.last_used_at', '<', cutoff)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('uploads as u').select('u.id').whereRef('u.sha256', '=', 'b.sha256'))))
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('uploads as u').select('u.id').whereRef('u.thumb_sha256', '=', 'b.sha256'))))
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('users as a').select('a.id').whereRef('a.avatar_sha256', '=', 'b.sha256'))));
  }

  /** One blob, rechecked and deleted under its row's lock (see the class comment); false when it was claimed meanwhile. */
  private async drop(sha256: string, cutoff: number): Promise<boolean> {
    return this.deps.db.transaction().execute(async (trx) => {
      const res = await trx
        .deleteFrom('blobs')
        .where('sha256', '=', sha256)
        .where('last_used_at', '<', cutoff)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('uploads')
                .select('id')
                .where((u) => u.or([u('sha256', '=', sha256), u('thumb_sha256', '=', sha256)])),
            ),
          ),
        )
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('users').select('id').where('avatar_sha256', '=', sha256))))
        .executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) return false;
      // Inside the transaction on purpose: the row stays locked until the bytes are gone.
      await this.blobs.delete(sha256);
      return true;
    });
  }
}
