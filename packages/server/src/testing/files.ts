import * as tus from 'tus-js-client';
import type { TestUser } from './harness.js';

/** A whole file through tus in two requests (create, then one PATCH); returns the upload id. */
export async function uploadFile(server: { url: string }, user: TestUser, bytes: Uint8Array, name = 'file.bin'): Promise<string> {
  const created = await fetch(`${server.url}/api/v1/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `filename ${Buffer.from(name).toString('base64')}` },
  });
  if (created.status !== 201) throw new Error(`upload create failed: ${created.status} ${await created.text()}`);
  const location = created.headers.get('location')!;
  const patched = await fetch(location, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${user.token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    body: bytes,
  });
  if (patched.status !== 204) throw new Error(`upload patch failed: ${patched.status} ${await patched.text()}`);
  return location.split('/').pop()!;
}

/** A whole file with the real tus client (`tus-js-client`, as a Node app would), in 64 KiB PATCHes; returns the upload id. */
export function tusClientUpload(server: { url: string }, user: TestUser, bytes: Buffer, filename: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const up = new tus.Upload(bytes, {
      endpoint: `${server.url}/api/v1/uploads`,
      headers: { authorization: `Bearer ${user.token}` },
      metadata: { filename },
      chunkSize: 64 * 1024,
      retryDelays: [],
      onError: reject,
      onSuccess: () => resolve(up.url!.split('/').pop()!),
    });
    up.start();
  });
}
