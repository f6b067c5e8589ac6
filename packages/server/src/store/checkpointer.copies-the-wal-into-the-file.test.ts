import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SocketClient, createConversation, onPostgres, registerUser, sleep, startServer, type TestServer } from '../testing/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ sqliteCheckpointMs: 50 });
});
afterAll(async () => {
  await server.stop();
});

/** Messages of the conversation in a copy of the database file alone, without its WAL. */
function inFileAlone(dataDir: string, convId: string): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-ckpt-'));
  fs.copyFileSync(path.join(dataDir, 'parley.db'), path.join(dir, 'parley.db'));
  const db = new SQLite(path.join(dir, 'parley.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM messages WHERE conv_id = ?').get(convId) as { n: number }).n;
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// SQLite's own checkpoint would leave these in the WAL (it waits for 10,000 pages with the
// thread on); the checkpoint thread copies them into the file while the server keeps running.
test.skipIf(onPostgres())('committed messages reach the database file itself, not only the WAL, while the server runs', async () => {
  const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const sock = await SocketClient.connect(server, alice.token);
  for (let i = 0; i < 20; i++) await sock.request('message.send', { conv_id: dm.id, client_msg_id: `ck-${i}`, body: `checkpointed ${i}` });
  let n = 0;
  for (let i = 0; i < 60 && n < 20; i++) {
    await sleep(50);
    n = inFileAlone(server.dataDir, dm.id);
  }
  expect(n).toBe(20);
});
