import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorBody, Message } from '@parley/protocol';
import { RequestError, SocketClient, api, createConversation, onPostgres, registerUser, startServer, type TestServer } from '../testing/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

/**
 * Caps the database file at its current size on every connection that writes it (the main one
 * and the send writer's thread): the next write that needs a page fails with SQLITE_FULL, as on
 * a full disk.
 */
async function fillDisk(s: TestServer): Promise<() => Promise<void>> {
  const sqlite = s.parley.storage.sqlite!;
  const writer = s.parley.services.messages.sqliteWriter!;
  const pages = Number(sqlite.pragma('page_count', { simple: true }));
  const before = Number(sqlite.pragma('max_page_count', { simple: true }));
  sqlite.pragma(`max_page_count = ${pages}`);
  await writer.pragma(`max_page_count = ${pages}`);
  return async () => {
    sqlite.pragma(`max_page_count = ${before}`);
    await writer.pragma(`max_page_count = ${before}`);
  };
}

test.skipIf(onPostgres())('when the disk is full, sends fail with a typed unavailable error, are never acked, and work again once space is back', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const sock = await SocketClient.connect(server, alice.token);
  const acked: Message[] = [];
  for (let i = 0; i < 5; i++) acked.push((await sock.request('message.send', { conv_id: dm.id, client_msg_id: `ok-${i}`, body: `before ${i}` })).message);

  const restore = await fillDisk(server);
  // Fill the last free space so the very next insert has to grow the file.
  const big = 'x'.repeat(3000);
  let failures = 0;
  const failedIds: string[] = [];
  for (let i = 0; i < 200 && failures < 3; i++) {
    const id = `full-${i}`;
    try {
      const ack = await sock.request('message.send', { conv_id: dm.id, client_msg_id: id, body: `${big} ${i}` });
      acked.push(ack.message);
    } catch (e) {
      expect(e).toBeInstanceOf(RequestError);
      expect((e as RequestError).error.code).toBe('unavailable');
      failedIds.push(id);
      failures++;
    }
  }
  expect(failures).toBeGreaterThan(0);
  const rest = await api<{ error: ErrorBody }>(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: 'rest-full', body: big }, alice.token);
  expect(rest.status).toBe(503);
  expect(rest.body.error.code).toBe('unavailable');
  // The socket stays usable while storage is down.
  await expect(sock.request('ping', {})).resolves.toBeTruthy();

  await restore();
  const retried = await sock.request('message.send', { conv_id: dm.id, client_msg_id: failedIds[0]!, body: 'after the disk came back' });
  expect(retried.duplicate).toBe(false);

  const history = await api<{ messages: Message[] }>(server, 'GET', `/conversations/${dm.id}/messages?after_seq=0&limit=1000`, undefined, bob.token);
  const ids = history.body.messages.map((m) => m.id);
  for (const m of acked) expect(ids).toContain(m.id);
  expect(history.body.messages.filter((m) => m.client_msg_id.startsWith('full-') && failedIds.slice(1).includes(m.client_msg_id))).toEqual([]);
  const seqs = history.body.messages.map((m) => m.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  await sock.close();
});
