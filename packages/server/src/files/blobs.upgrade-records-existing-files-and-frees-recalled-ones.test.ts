import crypto, { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Kysely } from 'kysely';
import type { Message } from '@parley/protocol';
import { api, createConversation, registerUser, startServer, type TestServer } from '../testing/harness.js';
import { uploadFile } from '../testing/files.js';
import * as m009 from '../store/migrations/009_blobs.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ blobGraceMs: 0 });
});
afterAll(async () => {
  await server.stop();
});

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const onDisk = (hash: string) => fs.existsSync(path.join(server.dataDir, 'files', 'blobs', hash.slice(0, 2), hash.slice(2, 4), hash));

test('upgrading to 009 records a blob for every file and frees the files of messages recalled before it', async () => {
  const db = server.parley.storage.db;
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const keptBytes = crypto.randomBytes(2048);
  const goneBytes = crypto.randomBytes(2048);
  const send = async (id: string) => (await api<Message>(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: randomUUID(), body: 'f', attachments: [id] }, alice.token)).body;
  const kept = await uploadFile(server, alice, keptBytes, 'kept.bin');
  const gone = await uploadFile(server, alice, goneBytes, 'gone.bin');
  await send(kept);
  const recalled = await send(gone);

  // The database as 008 left it: no blobs table, and a message recalled back then kept its
  // uploads' rows (recall only hid them).
  await db.updateTable('messages').set({ recalled_at: Date.now(), body: '' }).where('id', '=', recalled.id).execute();
  await m009.down(db as unknown as Kysely<unknown>);
  await m009.up(db as unknown as Kysely<unknown>);

  const blobs = await db.selectFrom('blobs').selectAll().execute();
  expect(blobs.map((b) => b.sha256).sort()).toEqual([sha(keptBytes), sha(goneBytes)].sort());
  expect(Number(blobs.find((b) => b.sha256 === sha(keptBytes))!.size)).toBe(keptBytes.length);
  const rows = await db.selectFrom('uploads').select('id').where('uploader_id', '=', alice.user.id).execute();
  expect(rows.map((r) => r.id)).toEqual([kept]);

  await server.parley.services.files.collector.collect();
  expect(onDisk(sha(goneBytes))).toBe(false);
  expect(onDisk(sha(keptBytes))).toBe(true);
  expect((await fetch(`${server.url}/api/v1/files/${kept}`, { headers: { authorization: `Bearer ${bob.token}` } })).status).toBe(200);
});
