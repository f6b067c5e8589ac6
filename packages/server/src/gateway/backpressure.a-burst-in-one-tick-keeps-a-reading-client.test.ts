import { expect, test } from 'vitest';
import type { MessageCreatedEvent } from '@parley/protocol';
import { createConversation, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

// A small send buffer, so one group commit's fan-out (many large events in the same turn of the
// event loop) is bigger than the buffer: only a client that does not read may be dropped.
let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s), { limits: { maxSocketBufferBytes: 64 * 1024, sendRatePerSec: 10_000, sendBurst: 10_000 } });

test('a burst of sends committed together, larger than the send buffer, reaches a client that keeps reading', async () => {
  const users = await Promise.all(Array.from({ length: 9 }, () => registerUser(server)));
  const [reader, ...senders] = users as [(typeof users)[0], ...typeof users];
  const ch = await createConversation(server, senders[0]!.token, {
    kind: 'channel',
    name: `burst-${process.pid}`,
    visibility: 'private',
    member_ids: users
      .slice(1)
      .map((u) => u.user.id)
      .concat(reader.user.id),
  });
  const watcher = await connect(reader);
  const sockets = await Promise.all(senders.map((s) => connect(s)));
  const body = 'z'.repeat(12_000);
  const rounds = 4;
  // Eight sockets sending at once land in the same batches: each batch fans out ~100 KB to the watcher in one go.
  for (let r = 0; r < rounds; r++) {
    await Promise.all(sockets.flatMap((s, i) => [0, 1].map((k) => s.request('message.send', { conv_id: ch.id, client_msg_id: `b${r}-${i}-${k}`, body }))));
  }
  const total = rounds * sockets.length * 2;
  const got = await watcher.waitForCount((e) => e.type === 'message.created' && e.conv_id === ch.id, total, 20_000);
  expect(got).toHaveLength(total);
  expect(new Set(got.map((e) => (e as MessageCreatedEvent).seq)).size).toBe(total);
  expect(watcher.ws.readyState).toBe(watcher.ws.OPEN);
});

test('one answer larger than the whole send buffer (a resync page) reaches a client that has read everything', async () => {
  const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const sender = await connect(alice);
  for (let i = 0; i < 12; i++) await sender.request('message.send', { conv_id: dm.id, client_msg_id: `big-${i}`, body: `${i} ${'q'.repeat(10_000)}` });
  const reader = await connect(bob);
  const page = await reader.request('sync.events', { conv_id: dm.id, after_seq: 0, limit: 200 });
  expect(JSON.stringify(page).length).toBeGreaterThan(64 * 1024);
  expect(page.events.filter((e) => e.type === 'message.created')).toHaveLength(12);
  expect(reader.ws.readyState).toBe(reader.ws.OPEN);
});
