import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { DiskBlobStore } from './blob-store.js';

test('a disk blob is deleted, and deleting it again (or one never stored) is no error', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-blobs-'));
  const store = new DiskBlobStore(root);
  const bytes = Buffer.from('to be collected');
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  await store.putBytes(bytes, sha);
  expect(await store.size(sha)).toBe(bytes.length);
  await store.delete(sha);
  expect(await store.size(sha)).toBeNull();
  await store.delete(sha);
  await store.delete('0'.repeat(64));
  // Anything but a sha256 never becomes a path.
  await expect(store.delete('../../etc/passwd')).rejects.toThrow(/not a sha256/);
  fs.rmSync(root, { recursive: true, force: true });
});
