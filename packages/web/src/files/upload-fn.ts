/** The one call the composer needs to put a file on the server (the SDK's uploadFile shape). */
export interface UploadOptions {
  name?: string;
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

export interface UploadedFile {
  id: string;
  name: string;
  size: number;
}

export type UploadFn = (file: File | Blob, opts?: UploadOptions) => Promise<UploadedFile>;

/** Why an upload stopped, as the composer explains it. */
export type UploadFailure = 'payload_too_large' | 'quota_exceeded' | 'network' | 'aborted' | 'failed';

/** Reads the reason out of whatever the upload threw: a typed server error, an abort, or a network failure. */
export function uploadFailure(e: unknown): UploadFailure {
  if (e instanceof DOMException && e.name === 'AbortError') return 'aborted';
  const err = e as { code?: unknown; status?: unknown; name?: unknown; message?: unknown; originalResponse?: { getStatus?: () => number; getBody?: () => string } | null } | null;
  if (err && typeof err === 'object') {
    if (err.name === 'AbortError') return 'aborted';
    if (err.code === 'payload_too_large' || err.code === 'quota_exceeded') return err.code;
    const res = err.originalResponse;
    if (res && typeof res.getBody === 'function') {
      try {
        const code = (JSON.parse(res.getBody()) as { error?: { code?: string } }).error?.code;
        if (code === 'payload_too_large' || code === 'quota_exceeded') return code;
      } catch {
        /* not JSON: fall through to the status */
      }
      const status = res.getStatus?.() ?? 0;
      if (status === 413) return 'payload_too_large';
      if (status === 0) return 'network';
      return 'failed';
    }
    if (err.code === 'disconnected' || err.code === 'network') return 'network';
    if (typeof err.message === 'string' && /network|failed to fetch|xhr|connection/i.test(err.message)) return 'network';
  }
  return 'failed';
}
