import type { StoredUpload, UploadsDb } from '../storage/uploads';
import { warnFailed } from '../app/report';
import { addFiles, failed, finished, progressed, removed, retrying, attachmentIds, type PendingUpload, type UploadError } from './pending';
import { uploadFailure, type UploadFn } from './upload-fn';

const EMPTY: readonly PendingUpload[] = Object.freeze([]);

/**
 * The files waiting in every composer of a session. Uploads run here, not in the composer, so
 * they continue while the user reads another conversation. Each file is kept in IndexedDB
 * (with its bytes until it finished) so a reload brings the chips back and unfinished uploads
 * continue where the server stopped (tus finds the upload again by the file's fingerprint).
 */
export class ComposerUploads {
  private readonly lists = new Map<string, readonly PendingUpload[]>();
  private readonly files = new Map<string, File>();
  /** Every chip's File this page has, finished or not, until the chip goes. */
  private readonly local = new Map<string, File>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly listeners = new Set<() => void>();
  private readonly restoring = new Map<string, Promise<void>>();
  private order = 0;
  private stopped = false;

  constructor(
    private readonly upload: UploadFn,
    private readonly db: Promise<UploadsDb>,
  ) {
    // Network failures are retried when the browser says it is back online.
    window.addEventListener('online', this.onOnline);
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  /** The file's bytes while this page has them (for a local preview of an image chip). */
  localFile(key: string): File | undefined {
    return this.local.get(key);
  }

  list(draftKey: string): readonly PendingUpload[] {
    return this.lists.get(draftKey) ?? EMPTY;
  }

  /** Adds files to a composer and starts their uploads; returns the files over the cap of ten. */
  add(draftKey: string, files: readonly File[]): File[] {
    const stamped = files.map((file) => ({ file, key: crypto.randomUUID() }));
    const res = addFiles(
      this.list(draftKey),
      stamped.map(({ file, key }) => ({ key, name: file.name || 'file', size: file.size, type: file.type })),
    );
    this.setList(draftKey, res.list);
    const accepted = new Set(res.accepted.map((f) => f.key));
    for (const { file, key } of stamped) {
      if (!accepted.has(key)) continue;
      this.files.set(key, file);
      this.local.set(key, file);
      void this.save(draftKey, key, { file, id: null });
      this.start(draftKey, key);
    }
    return stamped.filter(({ key }) => !accepted.has(key)).map(({ file }) => file);
  }

  /** Stops the upload (the server discards it) and removes the chip. */
  cancel(draftKey: string, key: string): void {
    this.controllers.get(key)?.abort();
    this.controllers.delete(key);
    this.files.delete(key);
    this.local.delete(key);
    this.setList(draftKey, removed(this.list(draftKey), key));
    void this.forget(key);
  }

  retry(draftKey: string, key: string): void {
    if (!this.list(draftKey).some((p) => p.key === key && p.status === 'error')) return;
    this.setList(draftKey, retrying(this.list(draftKey), key));
    this.start(draftKey, key);
  }

  /** The finished uploads' ids for a send; the composer is emptied. */
  take(draftKey: string): string[] {
    const list = this.list(draftKey);
    const ids = attachmentIds(list);
    this.setList(draftKey, EMPTY);
    for (const p of list) {
      this.files.delete(p.key);
      this.local.delete(p.key);
      void this.forget(p.key);
    }
    return ids;
  }

  /** Brings back a composer's files after a reload (once per session) and resumes their uploads. */
  restore(draftKey: string): Promise<void> {
    let p = this.restoring.get(draftKey);
    if (!p) {
      p = this.load(draftKey).catch(warnFailed('restoring the files of a composer'));
      this.restoring.set(draftKey, p);
    }
    return p;
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    // Not aborted: a page going away leaves the uploads resumable, which is what stop is for.
    this.listeners.clear();
    void this.db.then((db) => db.close()).catch(() => undefined);
  }

  private async load(draftKey: string): Promise<void> {
    const rows = (await (await this.db).getAll('uploads')).filter((r) => r.draft_key === draftKey).sort((a, b) => a.order - b.order);
    if (rows.length === 0 || this.stopped) return;
    const known = new Set(this.list(draftKey).map((p) => p.key));
    const restored: PendingUpload[] = [];
    for (const r of rows) {
      if (known.has(r.key)) continue;
      if (r.id === null && !r.file) {
        void this.forget(r.key);
        continue;
      }
      this.order = Math.max(this.order, r.order + 1);
      restored.push({ key: r.key, name: r.name, size: r.size, type: r.type, status: r.id ? 'done' : 'uploading', sent: r.id ? r.size : 0, id: r.id, error: null });
      if (!r.id && r.file) {
        this.files.set(r.key, r.file);
        this.local.set(r.key, r.file);
      }
    }
    this.setList(draftKey, [...this.list(draftKey), ...restored]);
    for (const p of restored) if (p.status === 'uploading') this.start(draftKey, p.key);
  }

  private start(draftKey: string, key: string): void {
    const file = this.files.get(key);
    if (!file) {
      this.setList(draftKey, failed(this.list(draftKey), key, 'failed'));
      return;
    }
    this.controllers.get(key)?.abort();
    const controller = new AbortController();
    this.controllers.set(key, controller);
    this.upload(file, {
      name: file.name || 'file',
      signal: controller.signal,
      onProgress: (sent) => {
        if (!controller.signal.aborted) this.setList(draftKey, progressed(this.list(draftKey), key, sent));
      },
    }).then(
      (done) => {
        if (controller.signal.aborted) return;
        this.controllers.delete(key);
        this.files.delete(key);
        this.setList(draftKey, finished(this.list(draftKey), key, done.id));
        void this.save(draftKey, key, { file: null, id: done.id });
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        this.controllers.delete(key);
        const why = uploadFailure(e);
        if (why === 'aborted') return;
        this.setList(draftKey, failed(this.list(draftKey), key, why as UploadError));
        // A refused file will not fit on retry: its bytes need not be kept for a resume.
        if (why === 'payload_too_large' || why === 'quota_exceeded') void this.forget(key);
      },
    );
  }

  private onOnline = (): void => {
    for (const [draftKey, list] of this.lists) for (const p of list) if (p.status === 'error' && p.error === 'network') this.retry(draftKey, p.key);
  };

  private setList(draftKey: string, list: readonly PendingUpload[]): void {
    if (list.length === 0) this.lists.delete(draftKey);
    else this.lists.set(draftKey, list);
    for (const l of this.listeners) l();
  }

  private async save(draftKey: string, key: string, patch: Pick<StoredUpload, 'file' | 'id'>): Promise<void> {
    try {
      const p = this.list(draftKey).find((x) => x.key === key);
      if (!p) return;
      const db = await this.db;
      const existing = await db.get('uploads', key);
      const row: StoredUpload = { key, draft_key: draftKey, name: p.name, size: p.size, type: p.type, order: existing?.order ?? this.order++, ...patch };
      // Removed while this was being read: do not bring it back.
      if (!this.list(draftKey).some((x) => x.key === key)) return;
      await db.put('uploads', row);
    } catch (e) {
      warnFailed('saving a composer file for after a reload')(e);
    }
  }

  private async forget(key: string): Promise<void> {
    try {
      await (await this.db).delete('uploads', key);
    } catch (e) {
      warnFailed('removing a composer file')(e);
    }
  }
}
