import { afterEach, expect, test } from 'vitest';
import type { MessageCreatedEvent, ServerEvent } from '@parley/protocol';
import { createConversation, registerUser, startServer, SocketClient } from '@parley/server/testing';
import { Parley } from '../node.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

test('a resync wider than the server read burst waits out rate_limited and still fetches every conversation', async () => {
  // Three reads at once, then one every 50 ms: the resync (sync + one page per conversation) does not fit.
  const server = await startServer({ limits: { readRatePerSec: 20, readBurst: 3 } });
  cleanup.push(() => server.stop());
  const bob = await registerUser(server);
  const bodies: string[] = [];
  for (let i = 0; i < 8; i++) {
    const friend = await registerUser(server);
    const dm = await createConversation(server, friend.token, { kind: 'dm', user_id: bob.user.id });
    const s = await SocketClient.connect(server, friend.token);
    cleanup.push(() => s.close());
    await s.request('message.send', { conv_id: dm.id, client_msg_id: `m${i}`, body: `hello ${i}` });
    bodies.push(`hello ${i}`);
  }

  const client = new Parley({ url: server.url, token: bob.token, idleResyncMs: 600_000, newConversations: 'beginning' });
  cleanup.push(() => client.close());
  const got: string[] = [];
  client.on('event', (e: ServerEvent) => {
    if (e.type === 'message.created') got.push((e as MessageCreatedEvent).message.body);
  });
  await client.connect();
  const deadline = Date.now() + 10_000;
  while (got.length < bodies.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect([...got].sort()).toEqual(bodies);
});

test('reading a whole conversation page by page (an export) waits out rate_limited instead of failing', async () => {
  const server = await startServer({ limits: { readRatePerSec: 20, readBurst: 1 } });
  cleanup.push(() => server.stop());
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const s = await SocketClient.connect(server, alice.token);
  cleanup.push(() => s.close());
  for (let i = 0; i < 450; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, k) => s.request('message.send', { conv_id: dm.id, client_msg_id: `x${i + k}`, body: `m ${i + k}` })));
  }

  const client = new Parley({ url: server.url, token: bob.token });
  cleanup.push(() => client.close());
  const seqs: number[] = [];
  for await (const m of client.allMessages(dm.id)) seqs.push(m.seq);
  // Three pages with a read budget of one: every message once, in seq order.
  expect(seqs).toHaveLength(450);
  expect(seqs.every((q, i) => i === 0 || q > seqs[i - 1]!)).toBe(true);
});
