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
