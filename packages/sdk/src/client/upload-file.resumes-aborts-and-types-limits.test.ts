import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { registerUser, startServer, type TestServer } from '@parley/server/testing';
import { tcpProxy, type TcpProxy } from '@parley/server/testing/tcp-proxy';
import { Parley, ParleyError } from '../node.js';

const MAX = 12 * 1024 * 1024;
const QUOTA = 20 * 1024 * 1024;
let server: TestServer;
let proxy: TcpProxy;
const clients: Parley[] = [];
beforeAll(async () => {
  server = await startServer({ limits: { maxUploadBytes: MAX, userQuotaBytes: QUOTA } });
  const u = new URL(server.url);
  proxy = await tcpProxy(u.hostname, Number(u.port));
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await proxy.close();
  await server.stop();
});

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const FAST_RETRIES = [50, 100, 200, 400, 800, 1000, 1000, 1000];

async function user(url = server.url): Promise<{ client: Parley; id: string; token: string }> {
  const u = await registerUser(server);
  const client = new Parley({ url, token: u.token });
  clients.push(client);
  return { client, id: u.user.id, token: u.token };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

const uploadsOf = (userId: string) => server.parley.storage.db.selectFrom('uploads').selectAll().where('uploader_id', '=', userId).execute();

test('an upload whose TCP connection is dropped half-way resumes from the server offset, and the downloaded bytes hash the same', async () => {
  const { client, id: userId } = await user(proxy.url('http'));
  const bytes = crypto.randomBytes(8 * 1024 * 1024);
  // Half the file reaches the server, then every connection drops; the network is back 200 ms later.
  let cutAt = -1;
  const progress: number[] = [];
  void proxy.cutAfter(bytes.length / 2).then(() => {
    cutAt = progress.length;
    setTimeout(() => proxy.restore(), 200);
  });
  const done = await client.uploadFile(bytes, {
    name: 'big.bin',
    retryDelays: FAST_RETRIES,
    onProgress: (sent, total) => {
      expect(total).toBe(bytes.length);
      progress.push(sent);
    },
  });
  expect(cutAt).toBeGreaterThan(0);
  expect(done).toEqual({ id: expect.any(String), name: 'big.bin', size: bytes.length });
  // After the cut the next PATCH starts at what the server had, not at 0: it resumed.
  const resumedAt = progress[cutAt]!;
  expect(resumedAt).toBeGreaterThan(0);
  expect(resumedAt).toBeLessThanOrEqual(bytes.length / 2);
  expect(Math.min(...progress.slice(cutAt))).toBe(resumedAt);
  expect(progress.at(-1)).toBe(bytes.length);
  // One upload, not a second one started over.
  expect(await uploadsOf(userId)).toHaveLength(1);

  const file = await client.downloadFile(done.id);
  expect(file).toMatchObject({ name: 'big.bin', size: bytes.length, type: 'application/octet-stream', offset: 0 });
  expect(sha(await readAll(file.body))).toBe(sha(bytes));
});

test('onProgress reaches the total, and a download from an offset returns the rest', async () => {
  const { client } = await user();
  const bytes = crypto.randomBytes(300 * 1024);
  const seen: [number, number][] = [];
  const up = await client.uploadFile(new Blob([bytes]), { name: 'notes.bin', onProgress: (s, t) => seen.push([s, t]) });
  expect(seen.at(-1)).toEqual([bytes.length, bytes.length]);
  for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
  const tail = await client.downloadFile(up.id, { offset: 1000 });
  expect(tail).toMatchObject({ size: bytes.length, offset: 1000 });
  expect(sha(await readAll(tail.body))).toBe(sha(bytes.subarray(1000)));
});

test('aborting terminates the upload on the server (HEAD is 404) and gives the quota back', async () => {
  const { client, id: userId, token } = await user(proxy.url('http'));
  const controller = new AbortController();
  let uploadId: string | null = null;
  const attempt = client.uploadFile(crypto.randomBytes(MAX), {
    name: 'cancelled.bin',
    signal: controller.signal,
    onProgress: (sent) => {
      if (sent === 0 || uploadId !== null) return;
      uploadId = '';
      // Abort once the server holds the upload, so there is something to terminate.
      void uploadsOf(userId).then((rows) => {
        uploadId = rows[0]!.id;
        controller.abort();
      });
    },
  });
  await expect(attempt).rejects.toMatchObject({ code: 'aborted' });
  expect(uploadId).toMatch(/^[0-9A-Z]{26}$/);
  const head = await fetch(`${server.url}/api/v1/uploads/${uploadId}`, { method: 'HEAD', headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' } });
  expect(head.status).toBe(404);
  expect(await uploadsOf(userId)).toHaveLength(0);
  // The whole quota is free again.
  const a = await client.uploadFile(crypto.randomBytes(MAX), { name: 'a.bin' });
  const b = await client.uploadFile(crypto.randomBytes(QUOTA - MAX), { name: 'b.bin' });
  expect(a.size + b.size).toBe(QUOTA);
});

test('size and quota refusals are typed ParleyErrors and leave nothing counted', async () => {
  const { client, id: userId } = await user();
  const tooBig = await client.uploadFile(new Uint8Array(MAX + 1), { name: 'huge.bin' }).catch((e: unknown) => e);
  expect(tooBig).toBeInstanceOf(ParleyError);
  expect(tooBig).toMatchObject({ code: 'payload_too_large', status: 413 });

  await client.uploadFile(crypto.randomBytes(MAX), { name: 'one.bin' });
  const overQuota = await client.uploadFile(crypto.randomBytes(MAX), { name: 'two.bin' }).catch((e: unknown) => e);
  expect(overQuota).toBeInstanceOf(ParleyError);
  expect(overQuota).toMatchObject({ code: 'quota_exceeded', status: 413 });
  // Only the finished file counts: exactly the rest of the quota still fits.
  expect((await uploadsOf(userId)).map((r) => Number(r.size))).toEqual([MAX]);
  const rest = await client.uploadFile(crypto.randomBytes(QUOTA - MAX), { name: 'rest.bin' });
  expect(rest.size).toBe(QUOTA - MAX);
});

test('with resume set to a file, an upload the process gave up on continues in a new client instead of starting over', async () => {
  const { client, id: userId } = await user(proxy.url('http'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-resume-'));
  const store = path.join(dir, 'uploads.json');
  const file = path.join(dir, 'app.log');
  const bytes = crypto.randomBytes(6 * 1024 * 1024);
  fs.writeFileSync(file, bytes);
  // The network goes away half-way and stays away: no retries, the call fails.
  void proxy.cutAfter(bytes.length / 2);
  const failed = await client.uploadFile(fs.createReadStream(file), { resume: store, retryDelays: [] }).catch((e: unknown) => e);
  proxy.restore();
  expect(failed).toMatchObject({ code: 'network' });
  const partial = await uploadsOf(userId);
  expect(partial).toHaveLength(1);

  const first: number[] = [];
  const later = new Parley({ url: proxy.url('http'), token: client.rest.accessToken! });
  clients.push(later);
  const done = await later.uploadFile(fs.createReadStream(file), { resume: store, onProgress: (s) => first.push(s) });
  expect(done).toMatchObject({ id: partial[0]!.id, name: 'app.log', size: bytes.length });
  expect(first[0]).toBeGreaterThan(0);
  expect(sha(await readAll((await later.downloadFile(done.id)).body))).toBe(sha(bytes));
});

test('an access token the server rejects (invalid_token) is refreshed once and the upload goes on', async () => {
  const u = await registerUser(server);
  // A token whose expiry looks far off but whose signature is wrong: only the server can tell.
  const [head, payload] = u.token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url')}.AAAA`;
  let refreshed = 0;
  const client = new Parley({ url: server.url, token: forged, refreshToken: u.refresh, onTokens: () => refreshed++ });
  clients.push(client);
  const bytes = crypto.randomBytes(50_000);
  const up = await client.uploadFile(bytes, { name: 'after-refresh.bin', retryDelays: FAST_RETRIES });
  expect(refreshed).toBe(1);
  expect(sha(await readAll((await client.downloadFile(up.id)).body))).toBe(sha(bytes));

  // Without a refresh token the same rejection is final, and typed.
  const stuck = new Parley({ url: server.url, token: forged });
  clients.push(stuck);
  await expect(stuck.uploadFile(bytes, { retryDelays: FAST_RETRIES })).rejects.toMatchObject({ code: 'invalid_token', status: 401 });
});

test('an abort at any moment, even while the upload is being created, leaves nothing counted', async () => {
  const { client, id: userId } = await user();
  const outcomes: string[] = [];
  for (const delayMs of [0, 1, 2, 3, 5, 8, 12, 20, 30]) {
    const controller = new AbortController();
    const attempt = client.uploadFile(crypto.randomBytes(2 * 1024 * 1024), { signal: controller.signal });
    setTimeout(() => controller.abort(), delayMs);
    outcomes.push(
      await attempt.then(
        () => 'finished',
        (e: unknown) => (e as ParleyError).code,
      ),
    );
  }
  expect(outcomes.every((o) => o === 'aborted' || o === 'finished')).toBe(true);
  // An abort during creation rejects at once; the server's answer and the termination follow.
  // So: wait until no unfinished upload has been seen for a second.
  const deadline = Date.now() + 20_000;
  let quietSince = Date.now();
  while (Date.now() - quietSince < 1_000 && Date.now() < deadline) {
    if ((await uploadsOf(userId)).some((r) => r.state === 'uploading')) quietSince = Date.now();
    await new Promise((r) => setTimeout(r, 20));
  }
  expect((await uploadsOf(userId)).filter((r) => r.state === 'uploading')).toEqual([]);
});
