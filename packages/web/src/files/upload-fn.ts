import type { UploadedFile, UploadOptions } from '@parley/sdk';

/** The one call the composer needs to put a file on the server: the SDK's `Parley.uploadFile`. */
export type UploadFn = (file: File, opts: UploadOptions) => Promise<UploadedFile>;

/** Why an upload stopped, as the composer explains it. */
export type UploadFailure = 'payload_too_large' | 'quota_exceeded' | 'network' | 'aborted' | 'failed';

/** The reason out of what the upload threw (the SDK's ParleyError codes), for the chip's message. */
export function uploadFailure(e: unknown): UploadFailure {
  const code = e && typeof e === 'object' && 'code' in e ? (e as { code: unknown }).code : null;
  if (code === 'aborted' || (e instanceof DOMException && e.name === 'AbortError')) return 'aborted';
  if (code === 'payload_too_large' || code === 'quota_exceeded') return code;
  if (code === 'network' || code === 'disconnected') return 'network';
  return 'failed';
}
