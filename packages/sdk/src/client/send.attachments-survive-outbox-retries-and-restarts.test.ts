import { afterAll, beforeAll, expect, test } from 'vitest';
import type { MessageCreatedEvent, ServerEvent } from '@parley/protocol';
import { createConversation, registerUser, startServer, type TestServer } from '@parley/server/testing';
import { MemoryOutbox, Parley, type OutboxEntry } from '../node.js';

let server: TestServer;
const clients: Parley[] = [];
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await server.stop();
});

function client(token: string, outbox = new MemoryOutbox()): Parley {
  const c = new Parley({ url: server.url, token, outbox, reconnectBaseMs: 50, reconnectMaxMs: 300 });
  clients.push(c);
  return c;
}

test('a send with attachments written offline is delivered after a restart, with each file named, sized and typed, and a replay of it is the same message', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });

  const uploader = client(alice.token);
  const text = new TextEncoder().encode('line one\nline two\n');
  const log = await uploader.uploadFile(text, { name: 'app.log' });
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  const bin = await uploader.uploadFile(Buffer.concat([Buffer.from([0, 1, 2, 3]), png]), { name: 'data.bin' });

  // Written while never connected: it waits in the outbox, which outlives this client.
  const outbox = new MemoryOutbox();
  const offline = client(alice.token, outbox);
  void offline.send(dm.id, 'logs attached', { attachments: [log.id, bin.id] }).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 50));
  const [entry] = await outbox.load();
  expect(entry).toMatchObject({ body: 'logs attached', attachments: [log.id, bin.id] });
  const copy: OutboxEntry = structuredClone(entry!);
  await offline.close();

  const receiver = client(bob.token);
  await receiver.connect();
  const got: MessageCreatedEvent[] = [];
  receiver.on('event', (e: ServerEvent) => {
    if (e.type === 'message.created' && e.conv_id === dm.id) got.push(e);
  });

  // The next run of the app finds the entry and sends it, attachments and all.
  const restarted = client(alice.token, outbox);
  const acked = new Promise<unknown>((resolve) => restarted.on('sent', resolve));
  await restarted.connect();
  await acked;
  for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(got).toHaveLength(1);
  expect(got[0]!.message.attachments.map((a) => ({ id: a.id, name: a.name, size: a.size, mime: a.mime }))).toEqual([
    { id: log.id, name: 'app.log', size: text.length, mime: 'text/plain; charset=utf-8' },
    { id: bin.id, name: 'data.bin', size: 12, mime: 'application/octet-stream' },
  ]);
  expect(await outbox.load()).toEqual([]);

  // The ack was lost (say): the same entry is sent again. It is answered from the original
  // send, not refused because its files are attached already.
  const replayBox = new MemoryOutbox();
  await replayBox.put(copy);
  const replay = client(alice.token, replayBox);
  const again = new Promise<{ duplicate: boolean; id: string; message: { attachments: unknown[] } }>((resolve) => replay.on('sent', resolve));
  const failed = new Promise<unknown>((resolve) => replay.on('send_failed', resolve));
  await replay.connect();
  const first = await Promise.race([again, failed]);
  expect(first).toMatchObject({ duplicate: true, id: got[0]!.message.id });
  expect((first as { message: { attachments: unknown[] } }).message.attachments).toHaveLength(2);
  const history = [];
  for await (const m of receiver.allMessages(dm.id)) history.push(m);
  expect(history.filter((m) => m.body === 'logs attached')).toHaveLength(1);
});
