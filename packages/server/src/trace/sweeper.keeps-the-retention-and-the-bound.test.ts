import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { MessageTrace } from '@parley/protocol';
import { ulid } from 'ulid';
import { api, createConversation, registerUser, SocketClient, startServer, type TestServer } from '../testing/harness.js';

const HOUR = 3_600_000;
let server!: TestServer;
beforeAll(async () => {
  server = await startServer({ traceRetentionMs: HOUR, traceMaxRows: 100 });
});
afterAll(() => server.stop());

test('a sweep deletes traces older than the retention, then the oldest past the bound; the newest stay readable', async () => {
  const owner = await registerUser(server);
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const { db } = server.parley.services.deps;
  const now = Date.now();

  // Ids are ULIDs made at the message's time, as the send paths make them.
  const trace = (at: number) => ({
    message_id: ulid(at),
    conv_id: dm.id,
    seq: 1,
    sender_id: alice.user.id,
    session_id: alice.sessionId,
    accepted_at: at,
    written_at: at,
    batch_id: ulid(at - 1),
    batch_size: 1,
    node_id: 'elsewhere',
  });
  const ack = (at: number) => ({ conv_id: dm.id, session_id: bob.sessionId, user_id: bob.user.id, kind: 'delivered' as const, seq: 1, at, node_id: 'elsewhere' });
  // 20 past the retention, 150 within it (older than the message sent below).
  const old = Array.from({ length: 20 }, (_, i) => trace(now - 2 * HOUR - i));
  const recent = Array.from({ length: 150 }, (_, i) => trace(now - 30_000 - i * 100));
  await db
    .insertInto('message_traces')
    .values([...old, ...recent])
    .execute();
  await db
    .insertInto('trace_batches')
    .values([...old, ...recent].map((t) => ({ batch_id: t.batch_id, node_id: 'elsewhere', committed_at: t.written_at, published_at: t.written_at })))
    .execute();
  await db
    .insertInto('trace_acks')
    .values([...old.map((t) => ack(t.written_at)), ...recent.map((t) => ack(t.written_at))])
    .execute();
  await db
    .insertInto('trace_devices')
    .values([
      { session_id: 'gone-device', user_id: bob.user.id, node_id: 'elsewhere', sockets: 0, connected_at: now - 3 * HOUR, last_seen_at: now - 2 * HOUR },
      { session_id: 'recent-device', user_id: bob.user.id, node_id: 'elsewhere', sockets: 0, connected_at: now - 60_000, last_seen_at: now - 30_000 },
    ])
    .execute();

  const a = await SocketClient.connect(server, alice.token);
  const sent = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'newest' });
  await a.close();
  await server.parley.services.trace.recorder.flush();

  await server.parley.services.trace.sweeper.sweep();

  const count = async (table: 'message_traces' | 'trace_acks' | 'trace_batches') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const ids = new Set((await db.selectFrom('message_traces').select('message_id').execute()).map((r) => r.message_id));
  expect(old.some((t) => ids.has(t.message_id))).toBe(false);
  expect(await count('message_traces')).toBeLessThanOrEqual(100);
  expect(await count('message_traces')).toBeGreaterThanOrEqual(90);
  // The oldest went first: the newest recent ones stay.
  expect(recent.slice(0, 90).every((t) => ids.has(t.message_id))).toBe(true);
  expect(recent.slice(-10).some((t) => ids.has(t.message_id))).toBe(false);
  expect(await count('trace_acks')).toBeLessThanOrEqual(100);
  // Batches go with their traces, but for a second's margin (10 here) before the oldest trace left.
  expect(await count('trace_batches')).toBeLessThanOrEqual(111);
  const devices = (await db.selectFrom('trace_devices').select('session_id').execute()).map((r) => r.session_id);
  expect(devices).toContain('recent-device');
  expect(devices).not.toContain('gone-device');

  expect((await api<MessageTrace>(server, 'GET', `/admin/messages/${sent.id}/trace`, undefined, owner.token)).status).toBe(200);
  expect((await api(server, 'GET', `/admin/messages/${old[0]!.message_id}/trace`, undefined, owner.token)).status).toBe(404);
});
