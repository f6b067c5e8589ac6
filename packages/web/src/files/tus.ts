import { Upload } from 'tus-js-client';
import type { UploadFn } from './upload-fn';

/**
 * A thin tus 1.0 uploader on tus-js-client, with the SDK uploadFile's signature so either can
 * be used. The upload URL is remembered in localStorage under the file's fingerprint (name,
 * type, size, modification time), so the same File handed in again after a reload or a
 * network drop continues from the server's offset instead of starting over.
 */
export function tusUploader(token: () => Promise<string>, origin: string = location.origin): UploadFn {
  return (file, opts = {}) =>
    new Promise((resolve, reject) => {
      const name = opts.name ?? (file instanceof File ? file.name : 'file');
      if (opts.signal?.aborted) {
        reject(new DOMException('The upload was cancelled.', 'AbortError'));
        return;
      }
      const upload = new Upload(file, {
        endpoint: `${origin}/api/v1/uploads`,
        metadata: { filename: name, filetype: file.type || 'application/octet-stream' },
        // Several requests per file: a proxy's body limit is not hit, and a drop loses at most one chunk.
        chunkSize: 8 * 1024 * 1024,
        retryDelays: [0, 1000, 3000, 5000, 10_000, 20_000],
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        onBeforeRequest: async (req) => {
          req.setHeader('Authorization', `Bearer ${await token()}`);
        },
        // A refusal (size, quota) will not change on retry; only network failures and 5xx/423 do.
        onShouldRetry: (err) => {
          const status = err.originalResponse?.getStatus() ?? 0;
          return status === 0 || status === 423 || status >= 500;
        },
        onProgress: (sent, total) => opts.onProgress?.(sent, total),
        onSuccess: () => {
          opts.signal?.removeEventListener('abort', onAbort);
          const id = upload.url?.split('/').pop() ?? '';
          resolve({ id, name, size: file.size });
        },
        onError: (err) => {
          opts.signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      });
      const onAbort = () => {
        // Cancelled for good: terminate on the server too, so the quota is given back.
        void upload.abort(true).catch(() => undefined);
        reject(new DOMException('The upload was cancelled.', 'AbortError'));
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      void upload
        .findPreviousUploads()
        .then((previous) => {
          const last = previous.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime))[0];
          if (last) upload.resumeFromPreviousUpload(last);
          if (!opts.signal?.aborted) upload.start();
        })
        .catch(reject);
    });
}
