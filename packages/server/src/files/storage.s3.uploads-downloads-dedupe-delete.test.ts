/**
 * S3 mode end to end against a real S3 API server (s3rver, started here on a free port):
 * uploads through tus land in the bucket, downloads read it with Range and ETags, identical
 * content is one object, and blobs, cancelled and expired uploads are deleted from it.
 */
import crypto, { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import sharp from 'sharp';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { uploadFile, tusClientUpload } from '../testing/files.js';
import { startS3, type TestS3 } from '../testing/s3.js';
import { loadConfig } from '../config/config.js';
import { S3BlobStore, openS3Bucket } from './s3.js';

const s3: TestS3 | null = await startS3().catch(() => null);
const PREFIX = 'tenant/a';

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

describe.skipIf(!s3)('S3 mode against s3rver (skipped: s3rver could not start)', () => {
  let server: TestServer;
  let client: S3Client;
  beforeAll(async () => {
    server = await startServer({ ...s3!.settings, s3Prefix: PREFIX, limits: { maxUploadBytes: 16 * 1024 * 1024 } });
    client = new S3Client({ endpoint: s3!.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
    await s3?.close();
  });

  /** Every key in the bucket under `under` (after the prefix). */
  async function keys(under: string): Promise<string[]> {
    const res = await client.send(new ListObjectsV2Command({ Bucket: s3!.bucket, Prefix: `${PREFIX}/${under}` }));
    return (res.Contents ?? []).map((o) => o.Key!);
  }

  const row = (id: string) => server.parley.storage.db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const get = (path: string, user: TestUser, headers: Record<string, string> = {}) => fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${user.token}`, ...headers } });

  test('an upload in several PATCHes is stored in the bucket, attached, and downloaded whole, by range and by ETag', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const bytes = crypto.randomBytes(300 * 1024 + 17);
    const id = await tusClientUpload(server, alice, bytes, 'data.bin');
    const r = await row(id);
    expect(r.state).toBe('complete');
    expect(r.sha256).toBe(sha(bytes));
    const hash = sha(bytes);
    expect(await keys('blobs/')).toContain(`${PREFIX}/blobs/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`);
    // tus's objects (the assembled upload, its record, its tail) are gone once the blob exists.
    expect(await keys(`incoming/${id}`)).toEqual([]);

    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    expect((await api(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: randomUUID(), body: 'data', attachments: [id] }, alice.token)).status).toBe(201);

    const whole = await get(`/files/${id}`, bob);
    expect(whole.status).toBe(200);
    expect(sha(Buffer.from(await whole.arrayBuffer()))).toBe(hash);
    const etag = whole.headers.get('etag')!;
    expect(etag).toBe(`"${hash}"`);

    const part = await get(`/files/${id}`, bob, { range: 'bytes=1000-2999' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-2999/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1000, 3000))).toBe(true);
    const tail = await get(`/files/${id}`, bob, { range: 'bytes=-10' });
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 10))).toBe(true);
    expect((await get(`/files/${id}`, bob, { 'if-none-match': etag })).status).toBe(304);

    // A finished upload's HEAD is answered from its row (tus's record is gone from the bucket).
    const head = await fetch(`${server.url}/api/v1/uploads/${id}`, { method: 'HEAD', headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0' } });
    expect(head.headers.get('upload-offset')).toBe(String(bytes.length));
  });

  test('identical content uploaded twice is one object in the bucket', async () => {
    const alice = await registerUser(server);
    const bytes = crypto.randomBytes(40 * 1024);
    const before = (await keys('blobs/')).length;
    const a = await uploadFile(server, alice, bytes, 'one.bin');
    const b = await tusClientUpload(server, alice, bytes, 'two.bin');
    expect((await row(a)).sha256).toBe(sha(bytes));
    expect((await row(b)).sha256).toBe(sha(bytes));
    expect((await keys('blobs/')).length).toBe(before + 1);
  });

  test('an image is stored without its metadata, with a thumbnail, both in the bucket', async () => {
    const alice = await registerUser(server);
    const jpeg = await sharp({ create: { width: 64, height: 32, channels: 3, background: { r: 10, g: 200, b: 10 } } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const id = await uploadFile(server, alice, jpeg, 'photo.jpg');
    const r = await row(id);
    // Rotated by its EXIF orientation and re-encoded: not the uploaded bytes, so not a copy of them.
    expect(r.sha256).not.toBe(sha(jpeg));
    expect([r.width, r.height]).toEqual([32, 64]);
    const served = Buffer.from(await (await get(`/files/${id}`, alice)).arrayBuffer());
    expect(sha(served)).toBe(r.sha256);
    expect((await sharp(served).metadata()).exif).toBeUndefined();
    expect((await get(`/files/${id}/thumbnail`, alice)).status).toBe(200);
    expect(await server.parley.services.files.blobs.size(r.thumb_sha256!)).toBeGreaterThan(0);
  });

  test('a completion that failed after the last byte is retried by the next HEAD', async () => {
    const alice = await registerUser(server);
    const bytes = crypto.randomBytes(20_000);
    const created = await fetch(`${server.url}/api/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length) },
    });
    const location = created.headers.get('location')!;
    const id = location.split('/').pop()!;
    // Completion downloads the upload into DATA_DIR/files/tmp: a file in its place makes it fail.
    const tmp = path.join(server.dataDir, 'files', 'tmp');
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.writeFileSync(tmp, 'in the way');
    try {
      const patch = await fetch(location, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
        body: bytes,
      });
      expect(patch.status).toBe(500);
      expect((await row(id)).state).toBe('uploading');
    } finally {
      fs.rmSync(tmp, { force: true });
      fs.mkdirSync(tmp);
    }
    const head = await fetch(location, { method: 'HEAD', headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(bytes.length));
    expect((await row(id)).state).toBe('complete');
    expect((await row(id)).sha256).toBe(sha(bytes));
    expect(await keys(`incoming/${id}`)).toEqual([]);
  });

  test('a blob is deleted from the bucket, and deleting it again is no error', async () => {
    const alice = await registerUser(server);
    const bytes = Buffer.from(`delete me ${randomUUID()}`);
    await uploadFile(server, alice, bytes, 'gone.txt');
    const blobs = server.parley.services.files.blobs;
    expect(await blobs.size(sha(bytes))).toBe(bytes.length);
    await blobs.delete(sha(bytes));
    expect(await blobs.size(sha(bytes))).toBeNull();
    expect((await keys('blobs/')).some((k) => k.endsWith(sha(bytes)))).toBe(false);
    await blobs.delete(sha(bytes));
  });

  test('a cancelled upload and an expired one leave nothing in the bucket', async () => {
    let now = Date.now();
    const clocked = await startServer({ ...s3!.settings, s3Prefix: PREFIX, uploadExpiryMs: 60_000 }, undefined, { now: () => now });
    try {
      const begin = async (node: TestServer) => {
        const alice = await registerUser(node);
        const res = await fetch(`${node.url}/api/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0', 'upload-length': String(100_000) } });
        expect(res.status).toBe(201);
        const location = res.headers.get('location')!;
        const patch = await fetch(location, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
          body: crypto.randomBytes(30_000),
        });
        expect(patch.status).toBe(204);
        const id = location.split('/').pop()!;
        // The multipart upload's record and the short tail (under S3's 5 MiB part minimum).
        expect(await keys(`incoming/${id}`)).toEqual([`${PREFIX}/incoming/${id}.info`, `${PREFIX}/incoming/${id}.part`]);
        return { location, id, alice };
      };
      const cancelled = await begin(server);
      expect((await fetch(cancelled.location, { method: 'DELETE', headers: { authorization: `Bearer ${cancelled.alice.token}`, 'tus-resumable': '1.0.0' } })).status).toBe(204);
      expect(await keys(`incoming/${cancelled.id}`)).toEqual([]);

      const expired = await begin(clocked);
      now += 61_000;
      expect(await clocked.parley.services.files.sweep()).toBe(1);
      expect(await keys(`incoming/${expired.id}`)).toEqual([]);
    } finally {
      await clocked.stop();
    }
  });

  test('a file larger than one request goes up in parts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-s3-parts-'));
    const bucket = await openS3Bucket(loadConfig({ DATA_DIR: dir }, { ...s3!.settings, s3Prefix: PREFIX }));
    try {
      const store = new S3BlobStore(bucket, { multipartAbove: 64 * 1024, partBytes: 64 * 1024 });
      const bytes = crypto.randomBytes(200 * 1024 + 3);
      const file = path.join(dir, 'big.bin');
      fs.writeFileSync(file, bytes);
      await store.putFile(file, sha(bytes));
      expect(fs.existsSync(file)).toBe(false);
      expect(await store.size(sha(bytes))).toBe(bytes.length);
      const chunks: Buffer[] = [];
      for await (const c of store.read(sha(bytes))) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    } finally {
      bucket.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bucket that does not exist stops start-up with a clear message', async () => {
    await expect(startServer({ ...s3!.settings, s3Bucket: 'no-such-bucket-here' })).rejects.toThrow(/S3 bucket "no-such-bucket-here" .* not usable: it does not exist/);
  });
});
