import crypto, { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Message } from '@parley/protocol';
import { api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { uploadFile } from '../testing/files.js';
import type { IncomingUploads } from './incoming.js';

const QUOTA = 300 * 1024;
/** Collects as soon as nothing references a blob. */
let eager: TestServer;
/** Keeps unreferenced blobs for the default hour. */
let patient: TestServer;
beforeAll(async () => {
  [eager, patient] = await Promise.all([startServer({ blobGraceMs: 0, limits: { userQuotaBytes: QUOTA } }), startServer({ blobGraceMs: 3_600_000, limits: { userQuotaBytes: QUOTA } })]);
});
afterAll(async () => {
  await Promise.all([eager.stop(), patient.stop()]);
});

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
/** Where the disk store keeps a blob: checked on disk, not through the store under test. */
const onDisk = (server: TestServer, hash: string) => fs.existsSync(path.join(server.dataDir, 'files', 'blobs', hash.slice(0, 2), hash.slice(2, 4), hash));
const row = (server: TestServer, id: string) => server.parley.storage.db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();

async function sendWith(server: TestServer, user: TestUser, convId: string, attachments: string[]): Promise<Message> {
  const res = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body: 'file', attachments }, user.token);
  expect(res.status).toBe(201);
  return res.body;
}
const recall = async (server: TestServer, user: TestUser, messageId: string) => expect((await api(server, 'DELETE', `/messages/${messageId}`, undefined, user.token)).status).toBe(200);
const download = (server: TestServer, user: TestUser, id: string) => fetch(`${server.url}/api/v1/files/${id}`, { headers: { authorization: `Bearer ${user.token}` } });
const createUpload = (server: TestServer, user: TestUser, length: number) =>
  fetch(`${server.url}/api/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${user.token}`, 'tus-resumable': '1.0.0', 'upload-length': String(length) } });

async function pair(server: TestServer): Promise<{ alice: TestUser; bob: TestUser; dm: string }> {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  return { alice, bob, dm: dm.id };
}

test("a recalled message's file is 404 at once, its bytes and thumbnail leave the disk, and the uploader's quota is free", async () => {
  const { alice, bob, dm } = await pair(eager);
  const noise = crypto.randomBytes(300 * 200 * 3);
  const image = await sharp(noise, { raw: { width: 300, height: 200, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  expect(image.length).toBeGreaterThan(QUOTA / 2);
  const id = await uploadFile(eager, alice, image, 'noise.png');
  const up = (await row(eager, id))!;
  expect(up.thumb_sha256).not.toBeNull();
  const message = await sendWith(eager, alice, dm, [id]);
  expect((await download(eager, bob, id)).status).toBe(200);
  // The quota holds one such file, not two.
  expect((await createUpload(eager, alice, image.length)).status).toBe(413);

  await recall(eager, alice, message.id);
  expect((await download(eager, bob, id)).status).toBe(404);
  expect((await download(eager, alice, id)).status).toBe(404);
  expect((await fetch(`${eager.url}/api/v1/files/${id}/thumbnail`, { headers: { authorization: `Bearer ${bob.token}` } })).status).toBe(404);
  expect((await createUpload(eager, alice, image.length)).status).toBe(201);

  await eager.parley.services.files.collector.collect();
  expect(onDisk(eager, up.sha256!)).toBe(false);
  expect(onDisk(eager, up.thumb_sha256!)).toBe(false);
  const left = await eager.parley.storage.db.selectFrom('blobs').select('sha256').where('sha256', 'in', [up.sha256!, up.thumb_sha256!]).execute();
  expect(left).toEqual([]);
});

test('a blob two uploads share survives the recall of one message and goes with the second', async () => {
  const { alice, bob, dm } = await pair(eager);
  const bytes = crypto.randomBytes(10 * 1024);
  const first = await uploadFile(eager, alice, bytes, 'a.bin');
  const second = await uploadFile(eager, bob, bytes, 'b.bin');
  const m1 = await sendWith(eager, alice, dm, [first]);
  const m2 = await sendWith(eager, bob, dm, [second]);

  await recall(eager, alice, m1.id);
  await eager.parley.services.files.collector.collect();
  expect(onDisk(eager, sha(bytes))).toBe(true);
  const res = await download(eager, alice, second);
  expect(res.status).toBe(200);
  expect(sha(Buffer.from(await res.arrayBuffer()))).toBe(sha(bytes));

  await recall(eager, bob, m2.id);
  await eager.parley.services.files.collector.collect();
  expect(onDisk(eager, sha(bytes))).toBe(false);
});

test('an upload no message attached expires, and its blob goes with it', async () => {
  let now = Date.now();
  const clocked = await startServer({ uploadExpiryMs: 60_000, blobGraceMs: 0 }, undefined, { now: () => now });
  try {
    const alice = await registerUser(clocked);
    const bytes = crypto.randomBytes(4096);
    const id = await uploadFile(clocked, alice, bytes, 'never-sent.bin');
    await clocked.parley.services.files.collector.collect();
    expect(onDisk(clocked, sha(bytes))).toBe(true);
    now += 61_000;
    expect(await clocked.parley.services.files.sweep()).toBe(1);
    expect(await row(clocked, id)).toBeUndefined();
    await clocked.parley.services.files.collector.collect();
    expect(onDisk(clocked, sha(bytes))).toBe(false);
  } finally {
    await clocked.stop();
  }
});

test('a blob claimed within the grace period is kept, even one a completing upload is reusing as the collector runs', async () => {
  const { alice, bob, dm } = await pair(patient);
  const files = patient.parley.services.files;
  const db = patient.parley.storage.db;
  const bytes = crypto.randomBytes(8 * 1024);
  const hash = sha(bytes);

  // Recalled minutes after sending: unreferenced, but used within the hour, so kept.
  await recall(patient, alice, (await sendWith(patient, alice, dm, [await uploadFile(patient, alice, bytes, 'a.bin')])).id);
  expect(await files.collector.collect()).toBe(0);
  expect(onDisk(patient, hash)).toBe(true);

  // Now its last use is long past: the next pass would delete it. Bob uploads the same bytes;
  // his completion reuses the blob and is held after that, before his row references it.
  await db.updateTable('blobs').set({ last_used_at: 0 }).where('sha256', '=', hash).execute();
  const incoming = files.incoming;
  let reached!: () => void;
  const atGate = new Promise<void>((resolve) => (reached = resolve));
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const held: IncomingUploads = Object.create(incoming) as IncomingUploads;
  held.fetch = async (uploadId) => {
    const finished = await incoming.fetch(uploadId);
    return {
      path: finished.path,
      store: async (h) => {
        await finished.store(h);
        reached();
        await gate;
      },
      release: () => finished.release(),
      streamedSha256: (size) => finished.streamedSha256(size),
    };
  };
  (files as unknown as { incoming: IncomingUploads }).incoming = held;
  try {
    const uploading = uploadFile(patient, bob, bytes, 'b.bin');
    await atGate;
    expect(await files.collector.collect()).toBe(0);
    open();
    const id = await uploading;
    const res = await download(patient, bob, id);
    expect(res.status).toBe(200);
    expect(sha(Buffer.from(await res.arrayBuffer()))).toBe(hash);
  } finally {
    (files as unknown as { incoming: IncomingUploads }).incoming = incoming;
  }
  expect(onDisk(patient, hash)).toBe(true);
});
