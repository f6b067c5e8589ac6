import { afterAll, beforeAll, expect, test } from 'vitest';
import type { MessageCreatedEvent } from '@parley/protocol';
import { SocketClient, createConversation, registerUser, sleep, startServer, type TestServer } from '../testing/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ limits: { maxSocketBufferBytes: 64 * 1024 } });
});
afterAll(async () => {
  await server.stop();
});

test('a client that stops reading is dropped with 4008 while the others keep up, then reconnects and resyncs everything', async () => {
  const [alice, bob, carol] = await Promise.all([registerUser(server), registerUser(server), registerUser(server)]);
  const ch = await createConversation(server, alice.token, { kind: 'channel', name: `busy-${process.pid}`, visibility: 'private', member_ids: [bob.user.id, carol.user.id] });
  const sender = await SocketClient.connect(server, alice.token);
  const healthy = await SocketClient.connect(server, carol.token);
  const slow = await SocketClient.connect(server, bob.token);
  const start = (await slow.request('conversation.get', { conv_id: ch.id })).last_seq;
  slow.ws.pause(); // stops reading: the kernel buffers fill, then the server's send buffer grows

  const body = 'y'.repeat(8_000);
  const before = server.parley.gateway.connectionCount;
  let sent = 0;
  const deadline = Date.now() + 20_000;
  // Bounded: stop as soon as the server has dropped the slow socket (or after 3,000 messages / 20 s).
  while (server.parley.gateway.connectionCount === before && sent < 3_000 && Date.now() < deadline) {
    await Promise.all(Array.from({ length: 20 }, (_, i) => sender.request('message.send', { conv_id: ch.id, client_msg_id: `m${sent + i}`, body: `${sent + i} ${body}` })));
    sent += 20;
  }
  expect(server.parley.gateway.connectionCount).toBe(before - 1);

  slow.ws.resume();
  const closed = await slow.closed;
  expect(closed.code).toBe(4008);
  expect(closed.reason).toMatch(/slow consumer/);

  // The healthy member got every message, in order.
  const got = await healthy.waitForCount((e) => e.type === 'message.created' && e.conv_id === ch.id, sent, 20_000);
  expect(got.map((e) => (e as MessageCreatedEvent).message.client_msg_id)).toEqual(Array.from({ length: sent }, (_, i) => `m${i}`));

  // The dropped client comes back and resyncs from the last seq it applied.
  const applied = slow.events.filter((e): e is MessageCreatedEvent => e.type === 'message.created').map((e) => e.seq);
  const cursor = applied.length ? Math.max(...applied) : start;
  const back = await SocketClient.connect(server, bob.token);
  const moved = await back.request('sync', { cursors: { [ch.id]: cursor } });
  expect(moved.conversations.map((c) => c.id)).toContain(ch.id);
  const recovered = [...applied];
  let after = cursor;
  for (let guard = 0; guard < 100; guard++) {
    const page = await back.request('sync.events', { conv_id: ch.id, after_seq: after, limit: 500 });
    for (const e of page.events) if (e.type === 'message.created') recovered.push(e.seq);
    after = page.events.at(-1)?.seq ?? after;
    if (!page.has_more) break;
  }
  const expected = (got as MessageCreatedEvent[]).map((e) => e.seq);
  expect(recovered.sort((a, b) => a - b)).toEqual(expected);
  await Promise.all([sender.close(), healthy.close(), back.close()]);
  await sleep(10);
}, 60_000);
