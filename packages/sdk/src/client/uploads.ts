import type { DetailedError, HttpRequest } from 'tus-js-client';
import { isErrorCode, type ErrorBody } from '@parley/protocol';
import { backoffDelay } from './backoff.js';
import { ParleyError } from './errors.js';
import type { RestClient } from './rest.js';

/**
 * A Node readable stream (`fs.createReadStream(path)`, a socket, stdin), described by shape so
 * the browser build needs no Node types. A file stream's size and name are read from its path;
 * any other stream needs `size`.
 */
export interface NodeReadableLike {
  readonly readable: boolean;
  pipe(...args: never[]): unknown;
}

/** What `uploadFile` takes: a `File` or `Blob`, bytes, or (under Node) a readable stream. */
export type UploadSource = Blob | Uint8Array | NodeReadableLike;

/** A previous upload found in a URL storage (the shape tus-js-client stores). */
export interface StoredUpload {
  size: number | null;
  metadata: Record<string, string>;
  creationTime: string;
  urlStorageKey: string;
  uploadUrl: string | null;
  parallelUploadUrls: string[] | null;
}

/**
 * Where unfinished uploads' URLs are kept, by a fingerprint of the file, so a later call (after
 * a reload or a restart) resumes instead of starting over. tus-js-client's storages fit.
 */
export interface UploadUrlStorage {
  findAllUploads(): Promise<StoredUpload[]>;
  findUploadsByFingerprint(fingerprint: string): Promise<StoredUpload[]>;
  removeUpload(urlStorageKey: string): Promise<void>;
  addUpload(fingerprint: string, upload: StoredUpload): Promise<string>;
}

/**
 * Resuming across calls: `true` keeps unfinished uploads' URLs in the platform's storage (the
 * browser's localStorage; under Node, memory for the life of the process), `false` keeps none, a
 * string (Node only) is a JSON file that survives restarts, or bring any storage.
 */
export type ResumeOption = boolean | string | UploadUrlStorage;

export interface UploadOptions {
  /** The name the file gets; defaults to a `File`'s name or a file stream's base name, else "file". */
  name?: string;
  /** Bytes in the source; needed only for a stream that is not a file. */
  size?: number;
  /** Bytes sent so far (counting those a resumed upload had already sent) and the total. */
  onProgress?: (sent: number, total: number) => void;
  /** Aborting stops the upload and terminates it on the server, which gives the quota back. */
  signal?: AbortSignal;
  /** Default: `true` in the browser, `false` under Node (see {@link ResumeOption}). */
  resume?: ResumeOption;
  /** Waits between retries after a network or server failure (default: backoff from 0.5 s to 20 s, 8 tries). */
  retryDelays?: number[];
}

/** A finished upload, ready to attach to a message by its id. */
export interface UploadedFile {
  id: string;
  name: string;
  size: number;
}

/** A source made ready for tus-js-client's file reader on this platform. */
export interface PreparedUpload {
  file: unknown;
  size: number;
  /** The source's own name, if it has one. */
  name: string | null;
  /** Identifies the content, to find an unfinished upload of the same file; null: never resumed across calls. */
  fingerprint: string | null;
  /** Bytes per PATCH request; unset sends the rest of the file in one request. */
  chunkSize?: number;
}

/** What differs between the browser and Node: how a source is read and where resumable URLs are kept. */
export interface UploadPlatform {
  prepare(source: UploadSource, size: number | undefined): Promise<PreparedUpload>;
  /** The storage for `resume`; undefined leaves tus-js-client's default for the platform. */
  urlStorage(resume: ResumeOption | undefined): UploadUrlStorage | undefined;
  /** Overrides tus-js-client's file reader (Node reads Blobs through it). */
  fileReader?: unknown;
}

const NO_STORAGE: UploadUrlStorage = {
  findAllUploads: async () => [],
  findUploadsByFingerprint: async () => [],
  removeUpload: async () => undefined,
  addUpload: async () => '',
};

async function sha256Hex(bytes: Uint8Array): Promise<string | null> {
  // Absent outside secure contexts (a page served over plain HTTP from another host).
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Bytes are fingerprinted by their hash: two different buffers of one size must never share an upload. */
export async function bytesFingerprint(bytes: Uint8Array): Promise<string | null> {
  const h = await sha256Hex(bytes);
  return h === null ? null : `sha256:${h}`;
}

const isBlob = (s: UploadSource): s is Blob => typeof Blob !== 'undefined' && s instanceof Blob;

/** The browser: Blobs and Files as they are, bytes as a Blob, localStorage for resuming. */
export const browserUploads: UploadPlatform = {
  async prepare(source) {
    if (source instanceof Uint8Array) return { file: new Blob([source as Uint8Array<ArrayBuffer>]), size: source.byteLength, name: null, fingerprint: await bytesFingerprint(source) };
    if (isBlob(source)) {
      const f = source as Blob & { name?: unknown; lastModified?: unknown };
      const named = typeof f.name === 'string' && typeof f.lastModified === 'number';
      // A File is the same file again after a reload; a bare Blob is not worth a fingerprint.
      return { file: source, size: source.size, name: named ? (f.name as string) : null, fingerprint: named ? `file:${f.name as string}:${f.type}:${f.size}:${f.lastModified as number}` : null };
    }
    throw new ParleyError('invalid_request', 'In the browser, upload a File, a Blob or a Uint8Array.');
  },
  urlStorage(resume) {
    if (resume === false) return NO_STORAGE;
    if (typeof resume === 'string') throw new ParleyError('invalid_request', 'A file path for resume works only under Node.');
    return resume === true || resume === undefined ? undefined : resume;
  },
};

/**
 * The most one PATCH carries. The server ends any request after PARLEY_REQUEST_TIMEOUT_MS (30 s
 * by default), so a whole 100 MB file in one PATCH over a slow link would be cut and resumed
 * again and again; 16 MiB takes 13 s at 10 Mbit/s, and costs one round trip per 16 MiB on a fast one.
 */
const PATCH_BYTES = 16 * 1024 * 1024;

const DEFAULT_RETRIES = Array.from({ length: 8 }, (_, i) => (i === 0 ? 0 : backoffDelay(i, 500, 20_000)));

/** The `sub` claim of a JWT (the user id), so one browser's stored uploads are never resumed by another account. */
function subjectOf(token: string): string {
  try {
    const json = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown };
    return typeof json.sub === 'string' ? json.sub : 'token';
  } catch {
    return 'token';
  }
}

function statusCode(status: number): ErrorBody['code'] {
  if (status === 401) return 'invalid_token';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'unavailable';
  return status >= 500 ? 'internal' : 'invalid_request';
}

/** A failed tus request as a ParleyError: the server's own code when its body is Parley's JSON error. */
export function uploadError(e: unknown): ParleyError {
  if (e instanceof ParleyError) return e;
  const err = e as Partial<DetailedError>;
  const res = err.originalResponse;
  if (res) {
    const status = res.getStatus();
    let body: { error?: Partial<ErrorBody> } | undefined;
    try {
      body = JSON.parse(res.getBody()) as { error?: Partial<ErrorBody> };
    } catch {
      body = undefined;
    }
    const b = body?.error;
    if (b && isErrorCode(b.code)) return new ParleyError(b.code, typeof b.message === 'string' ? b.message : b.code, status, typeof b.retry_after_ms === 'number' ? b.retry_after_ms : null);
    const text = res.getBody().trim().slice(0, 200);
    return new ParleyError(statusCode(status), `The upload failed: HTTP ${status}${text ? ` (${text})` : ''}.`, status);
  }
  const cause = err.causingError?.message ?? (e instanceof Error ? e.message : String(e));
  return new ParleyError('network', `The upload failed: ${cause}`);
}

/** Parley's answer to a request tus-js-client made, if it was an error with a JSON body. */
function responseCode(err: DetailedError): string | null {
  try {
    return (JSON.parse(err.originalResponse?.getBody() ?? '') as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    return null;
  }
}

/**
 * Uploads through tus (`/api/v1/uploads`): retries with backoff and resumes from the server's
 * offset after a dropped connection, refreshes the access token on `invalid_token`, and with a
 * URL storage resumes across calls (a reload, a restart) by the file's fingerprint.
 */
export async function uploadThroughTus(rest: RestClient, platform: UploadPlatform, source: UploadSource, opts: UploadOptions = {}): Promise<UploadedFile> {
  const aborted = () => new ParleyError('aborted', 'The upload was aborted.');
  if (opts.signal?.aborted) throw aborted();
  const prepared = await platform.prepare(source, opts.size);
  const name = opts.name ?? prepared.name ?? 'file';
  const storage = platform.urlStorage(opts.resume);
  const endpoint = `${rest.baseUrl}/api/v1/uploads`;
  const owner = subjectOf(await rest.freshToken());
  let refreshing: Promise<void> | null = null;
  // Loaded on the first upload: a web page that never sends a file never downloads the client.
  const { Upload } = await import('tus-js-client');

  return new Promise<UploadedFile>((resolve, reject) => {
    let settled = false;
    /** Aborted while the creation request was out: terminate the upload once its URL is known. */
    let terminateWhenCreated = false;
    const finish = (fn: () => void, failed = false) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      // tus closes a file stream it finished with; one it gave up on would hold its descriptor.
      if (failed) (source as { destroy?: () => void }).destroy?.();
      fn();
    };
    const upload = new Upload(prepared.file as Blob, {
      endpoint,
      metadata: { filename: name },
      uploadSize: prepared.size,
      chunkSize: prepared.chunkSize ?? PATCH_BYTES,
      retryDelays: opts.retryDelays ?? DEFAULT_RETRIES,
      // A finished upload's URL must not be found again: that file may be attached already.
      removeFingerprintOnSuccess: true,
      ...(storage ? { urlStorage: storage } : {}),
      ...(platform.fileReader ? { fileReader: platform.fileReader as never } : {}),
      // The fingerprint names the account and the server, so nothing is resumed across either.
      fingerprint: async () => (prepared.fingerprint === null ? (null as unknown as string) : `parley:${owner}:${endpoint}:${prepared.fingerprint}`),
      onBeforeRequest: async (req: HttpRequest) => {
        if (refreshing) await refreshing.catch(() => undefined);
        req.setHeader('Authorization', `Bearer ${await rest.freshToken()}`);
      },
      onShouldRetry: (err: DetailedError) => {
        const status = err.originalResponse?.getStatus() ?? 0;
        if (status === 401) {
          // An expired access token: refresh once per failure and retry; anything else (revoked) is final.
          if (responseCode(err) !== 'invalid_token' || !rest.canRefresh) return false;
          refreshing ??= rest.refresh().finally(() => (refreshing = null));
          return true;
        }
        // 409: the offset moved under us (a retry after a lost answer); 423: locked for a moment.
        return status === 0 || status >= 500 || status === 409 || status === 423 || status === 429;
      },
      onProgress: (sent: number, total: number) => {
        if (!settled) opts.onProgress?.(sent, total);
      },
      onUploadUrlAvailable: () => {
        if (terminateWhenCreated) void upload.abort(true).catch(() => undefined);
      },
      onError: (e: Error) => finish(() => reject(uploadError(e)), true),
      onSuccess: () => {
        if (terminateWhenCreated) return;
        const id = (upload.url ?? '').split('/').pop() ?? '';
        finish(() => resolve({ id, name, size: prepared.size }));
      },
    });

    const onAbort = () => {
      if (upload.url === null) {
        // The creation request may be out: cutting it could leave an upload nobody can name,
        // counted against the quota until it expires. Let it answer, then terminate.
        terminateWhenCreated = true;
        finish(() => reject(aborted()), true);
        return;
      }
      // Terminating deletes the server's copy and gives the quota back; the URL storage forgets it.
      const terminating = upload.abort(true).catch(() => undefined);
      void terminating.then(() => finish(() => reject(aborted()), true));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();

    const begin = async () => {
      if (storage !== NO_STORAGE && prepared.fingerprint !== null) {
        const previous = await upload.findPreviousUploads();
        const last = previous[previous.length - 1];
        if (last) upload.resumeFromPreviousUpload(last);
      }
      if (!settled && !opts.signal?.aborted) upload.start();
    };
    begin().catch((e: unknown) => finish(() => reject(uploadError(e)), true));
  });
}
