import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { uploadFile, tusClientUpload } from '../testing/files.js';

let server: TestServer;
const MAX = 256 * 1024;
const QUOTA = 600 * 1024;
beforeAll(async () => {
  server = await startServer({ limits: { maxUploadBytes: MAX, userQuotaBytes: QUOTA } });
});
afterAll(async () => {
  await server.stop();
});

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function create(user: TestUser, length: number, filename = 'f.bin'): Promise<Response> {
  return fetch(`${server.url}/api/v1/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'tus-resumable': '1.0.0', 'upload-length': String(length), 'upload-metadata': `filename ${b64(filename)}` },
  });
}

const row = (id: string) => server.parley.storage.db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

test('an upload with tus-js-client completes, and identical content is stored once', async () => {
  const alice = await registerUser(server);
  const bytes = crypto.randomBytes(150 * 1024);
  const id = await tusClientUpload(server, alice, bytes, 'random.bin');
  const r = await row(id);
  expect(r.state).toBe('complete');
  expect(r.sha256).toBe(sha(bytes));
  expect(Number(r.size)).toBe(bytes.length);
  expect(r.mime).toBe('application/octet-stream');
  expect(r.name).toBe('random.bin');
  // The same bytes again: a second upload row, one blob.
  const again = await tusClientUpload(server, alice, bytes, 'copy.bin');
  expect((await row(again)).sha256).toBe(sha(bytes));
  expect(await server.parley.services.files.blobs.size(sha(bytes))).toBe(bytes.length);
});

test('an upload cut half-way resumes from the offset the server reports, and the stored bytes hash right', async () => {
  const alice = await registerUser(server);
  const bytes = crypto.randomBytes(200 * 1024);
  const created = await create(alice, bytes.length);
  expect(created.status).toBe(201);
  const location = created.headers.get('location')!;
  const id = location.split('/').pop()!;

  // Half the body, then the connection drops.
  await new Promise<void>((resolve) => {
    const req = http.request(location, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(bytes.length) },
    });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.write(bytes.subarray(0, bytes.length / 2), () => setTimeout(() => req.destroy(), 100));
  });

  let offset = 0;
  for (let i = 0; i < 50; i++) {
    const head = await fetch(location, { method: 'HEAD', headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(200);
    offset = Number(head.headers.get('upload-offset'));
    if (offset > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(offset).toBeGreaterThan(0);
  expect(offset).toBeLessThanOrEqual(bytes.length / 2);
  expect((await row(id)).state).toBe('uploading');

  const rest = await fetch(location, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
    body: bytes.subarray(offset),
  });
  expect(rest.status).toBe(204);
  const r = await row(id);
  expect(r.state).toBe('complete');
  expect(r.sha256).toBe(sha(bytes));
  // The finished upload answers HEAD from its row.
  const head = await fetch(location, { method: 'HEAD', headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0' } });
  expect(head.headers.get('upload-offset')).toBe(String(bytes.length));
});

test('over the size limit or the quota, creation is refused with a typed error and nothing is counted', async () => {
  const bob = await registerUser(server);
  const tooBig = await create(bob, MAX + 1);
  expect(tooBig.status).toBe(413);
  expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');

  expect((await create(bob, MAX)).status).toBe(201);
  expect((await create(bob, MAX)).status).toBe(201);
  const over = await create(bob, QUOTA - 2 * MAX + 1);
  expect(over.status).toBe(413);
  expect(((await over.json()) as { error: { code: string } }).error.code).toBe('quota_exceeded');
  // The refused ones took nothing: exactly the rest still fits.
  expect((await create(bob, QUOTA - 2 * MAX)).status).toBe(201);

  const noLength = await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${bob.token}`, 'tus-resumable': '1.0.0', 'upload-defer-length': '1' } });
  expect(noLength.status).toBe(400);
});

test('parallel creations cannot share the last room in the quota', async () => {
  const carol = await registerUser(server);
  // Room for two uploads of MAX; ten ask at once.
  const answers = await Promise.all(Array.from({ length: 10 }, () => create(carol, MAX)));
  expect(answers.filter((r) => r.status === 201)).toHaveLength(2);
  for (const r of answers.filter((r) => r.status !== 201)) expect(((await r.json()) as { error: { code: string } }).error.code).toBe('quota_exceeded');
});

test("an upload is another user's 404, and no token is 401", async () => {
  const alice = await registerUser(server);
  const mallory = await registerUser(server);
  const location = (await create(alice, 10)).headers.get('location')!;
  const head = await fetch(location, { method: 'HEAD', headers: { authorization: `Bearer ${mallory.token}`, 'tus-resumable': '1.0.0' } });
  expect(head.status).toBe(404);
  const patch = await fetch(location, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${mallory.token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    body: Buffer.alloc(10),
  });
  expect(patch.status).toBe(404);
  expect((await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' } })).status).toBe(401);
});

test('uploads no message attached expire, in progress or finished, and give their quota back; attached ones stay', async () => {
  let now = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-sweep-'));
  const clocked = await startServer({ uploadExpiryMs: 60_000, limits: { maxUploadBytes: MAX, userQuotaBytes: QUOTA } }, dir, { now: () => now });
  try {
    const alice = await registerUser(clocked);
    const bob = await registerUser(clocked);
    const kept = await uploadFile(clocked, alice, Buffer.from('kept'), 'kept.txt');
    const dm = await createConversation(clocked, alice.token, { kind: 'dm', user_id: bob.user.id });
    expect((await api(clocked, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: 'k', body: 'kept', attachments: [kept] }, alice.token)).status).toBe(201);
    const done = await uploadFile(clocked, alice, Buffer.alloc(MAX), 'big.bin');
    const half = await fetch(`${clocked.url}/api/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0', 'upload-length': String(MAX) } });
    expect(half.status).toBe(201);
    // The quota is full: two uploads of MAX held.
    expect((await fetch(`${clocked.url}/api/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0', 'upload-length': String(MAX) } })).status).toBe(
      413,
    );

    expect(await clocked.parley.services.files.sweep()).toBe(0);
    now += 61_000;
    expect(await clocked.parley.services.files.sweep()).toBe(2);
    const left = await clocked.parley.storage.db.selectFrom('uploads').select('id').where('uploader_id', '=', alice.user.id).execute();
    expect(left.map((r) => r.id)).toEqual([kept]);
    expect((await fetch(`${clocked.url}/api/v1/files/${done}`, { headers: { authorization: `Bearer ${alice.token}` } })).status).toBe(404);
    expect((await fetch(`${clocked.url}/api/v1/files/${kept}`, { headers: { authorization: `Bearer ${bob.token}` } })).status).toBe(200);
    expect((await fetch(`${clocked.url}/api/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0', 'upload-length': String(MAX) } })).status).toBe(
      201,
    );
  } finally {
    await clocked.stop();
  }
});

test('the uploader may cancel an upload or drop an unattached file, and gets the quota back; an attached one stays', async () => {
  const dave = await registerUser(server);
  const erin = await registerUser(server);
  const del = (location: string, user: TestUser) => fetch(location, { method: 'DELETE', headers: { authorization: `Bearer ${user.token}`, 'tus-resumable': '1.0.0' } });
  const inProgress = (await create(dave, MAX)).headers.get('location')!;
  const finishedId = await uploadFile(server, dave, Buffer.alloc(MAX, 7), 'full.bin');
  const finished = `${server.url}/api/v1/uploads/${finishedId}`;
  expect((await create(dave, MAX)).status).toBe(413);

  expect((await del(inProgress, erin)).status).toBe(404);
  expect((await del(inProgress, dave)).status).toBe(204);
  expect((await del(finished, dave)).status).toBe(204);
  expect((await fetch(`${server.url}/api/v1/files/${finishedId}`, { headers: { authorization: `Bearer ${dave.token}` } })).status).toBe(404);
  expect((await create(dave, MAX)).status).toBe(201);

  const kept = await uploadFile(server, dave, Buffer.from('kept'), 'kept.txt');
  const dm = await createConversation(server, dave.token, { kind: 'dm', user_id: erin.user.id });
  expect((await api(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: 'keep', body: 'kept', attachments: [kept] }, dave.token)).status).toBe(201);
  expect((await del(`${server.url}/api/v1/uploads/${kept}`, dave)).status).toBe(409);
  expect((await fetch(`${server.url}/api/v1/files/${kept}`, { headers: { authorization: `Bearer ${erin.token}` } })).status).toBe(200);
});
