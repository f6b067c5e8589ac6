import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HistoryPage, MessageTrace, SendAck } from '@parley/protocol';
import { api, createConversation, onPostgres, registerUser, SocketClient, startServer, type TestServer, type TestUser } from '../testing/harness.js';

const SENDS = 100;

/**
 * One socket fires SENDS sends and then a history request, none waiting for an answer. Returns the
 * acks in the order sent, the history page, and the batch size the trace recorded for each send.
 */
async function burst(server: TestServer, owner: TestUser): Promise<{ acks: SendAck[]; page: HistoryPage; batchSizes: number[]; firstSeq: number }> {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const socket = await SocketClient.connect(server, alice.token);
  try {
    const sends = Array.from({ length: SENDS }, (_, i) => socket.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: `burst ${i}` }));
    const history = socket.request('history', { conv_id: dm.id, limit: SENDS + 10 });
    const [acks, page] = await Promise.all([Promise.all(sends), history]);
    const traces = await Promise.all(acks.map((a) => api<MessageTrace>(server, 'GET', `/admin/messages/${a.id}/trace`, undefined, owner.token)));
    return { acks, page, batchSizes: traces.map((t) => t.body.batch_size), firstSeq: dm.last_seq + 1 };
  } finally {
    await socket.close();
  }
}

function expectInOrder(r: Awaited<ReturnType<typeof burst>>): void {
  // Stored in the order sent: seqs gapless and increasing with the send's position.
  expect(r.acks.map((a) => a.seq)).toEqual(Array.from({ length: SENDS }, (_, i) => r.firstSeq + i));
  expect(r.acks.map((a) => a.message.body)).toEqual(Array.from({ length: SENDS }, (_, i) => `burst ${i}`));
  // A request after the sends sees every one of them, as it did when each send waited for its ack.
  expect(r.page.messages.map((m) => m.body)).toEqual(Array.from({ length: SENDS }, (_, i) => `burst ${i}`));
}

describe('a socket pipelines its sends', () => {
  let server: TestServer;
  let owner: TestUser;
  beforeAll(async () => {
    server = await startServer();
    owner = await registerUser(server);
  });
  afterAll(() => server.stop());

  test('sends fired without waiting are stored in order, share commits, and a later request sees them all', async () => {
    const r = await burst(server, owner);
    expectInOrder(r);
    // The embedded writer takes its queue in order, so one socket's sends may share a commit: at
    // least one batch held several of them. PostgreSQL writes batches in parallel, so there a
    // socket's send waits for the one before it (order first).
    if (onPostgres()) expect(Math.max(...r.batchSizes)).toBe(1);
    else expect(Math.max(...r.batchSizes)).toBeGreaterThan(1);
  });
});

describe('with PARLEY_SOCKET_SENDS_IN_FLIGHT=1', () => {
  let server: TestServer;
  let owner: TestUser;
  beforeAll(async () => {
    server = await startServer({ limits: { socketSendsInFlight: 1 } });
    owner = await registerUser(server);
  });
  afterAll(() => server.stop());

  test('each send waits for the one before it: every commit holds one of them, still in order', async () => {
    const r = await burst(server, owner);
    expectInOrder(r);
    expect(Math.max(...r.batchSizes)).toBe(1);
  });
});
