import { afterEach, expect, test } from 'vitest';
import type { MessageCreatedEvent, ServerEvent } from '@parley/protocol';
import { createConversation, registerUser, startServer, type TestServer } from '@parley/server/testing';
import { Parley } from '../node.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

function client(server: TestServer, token: string): Parley {
  const c = new Parley({ url: server.url, token, reconnectBaseMs: 50, reconnectMaxMs: 300, requestTimeoutMs: 20_000, idleResyncMs: 1_000, pingIntervalMs: 2_000 });
  cleanup.push(() => c.close());
  return c;
}

test('200 messages sent while the server stops and restarts mid-way arrive exactly once, in order, at another client', async () => {
  let server = await startServer();
  const port = Number(new URL(server.url).port);
  const dataDir = server.dataDir;
  cleanup.push(() => server.stop());
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });

  const sender = client(server, alice.token);
  const receiver = client(server, bob.token);
  await Promise.all([sender.connect(), receiver.connect()]);
  const received: MessageCreatedEvent[] = [];
  receiver.on('event', (e: ServerEvent) => {
    if (e.type === 'message.created' && e.conv_id === dm.id) received.push(e);
  });

  const acks: Promise<unknown>[] = [];
  for (let i = 0; i < 200; i++) {
    acks.push(sender.send(dm.id, `msg ${i}`));
    if (i === 80) {
      // Stop the server with sends still queued and in flight, then bring it back on the same port and data.
      await server.stop();
      await new Promise((r) => setTimeout(r, 200));
      server = await startServer({ port }, dataDir);
    }
  }
  await Promise.all(acks);
  const deadline = Date.now() + 15_000;
  while (received.length < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));

  expect(received.map((e) => e.message.body)).toEqual(Array.from({ length: 200 }, (_, i) => `msg ${i}`));
  const seqs = received.map((e) => e.seq);
  expect(new Set(seqs).size).toBe(200);
  expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  const history = [];
  for await (const m of receiver.allMessages(dm.id)) history.push(m.body);
  expect(history.filter((b) => b.startsWith('msg '))).toHaveLength(200);
}, 60_000);
