import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Conversation, HistoryPage, MessageCreatedEvent, SendAck, ServerEvent } from '@parley/protocol';
import { SocketClient, api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

const CLIENTS = 20;
const EACH = 10;
const TOTAL = CLIENTS * EACH;

let server: TestServer;
let users: TestUser[];
let sockets: SocketClient[] = [];

beforeAll(async () => {
  server = await startServer();
  await registerUser(server); // the workspace owner
  users = await Promise.all(Array.from({ length: CLIENTS }, () => registerUser(server)));
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await server.stop();
});

const isCreatedIn =
  (convId: string) =>
  (e: ServerEvent): e is MessageCreatedEvent =>
    e.type === 'message.created' && e.conv_id === convId;

/**
 * Every client fires its sends without waiting for acks, all clients at once; then checks the
 * seqs are gapless and every receiver saw one and the same order.
 */
async function sendStorm(conv: Conversation): Promise<void> {
  sockets = await Promise.all(users.map((u) => SocketClient.connect(server, u.token)));
  const start = conv.last_seq;

  const perClient: Promise<SendAck>[][] = sockets.map((s, i) =>
    Array.from({ length: EACH }, (_, k) => s.request('message.send', { conv_id: conv.id, client_msg_id: randomUUID(), body: `client ${i} message ${k}` })),
  );
  const acks = await Promise.all(perClient.map((p) => Promise.all(p)));
  const all = acks.flat();

  // Gapless: exactly the next TOTAL seqs, each once.
  const seqs = all.map((a) => a.seq).sort((x, y) => x - y);
  expect(seqs).toEqual(Array.from({ length: TOTAL }, (_, i) => start + 1 + i));
  expect(new Set(all.map((a) => a.id)).size).toBe(TOTAL);
  expect(all.every((a) => !a.duplicate)).toBe(true);
  // One socket's sends keep their order.
  for (const mine of acks) {
    for (let k = 1; mine[k]; k++) expect(mine[k]!.seq).toBeGreaterThan(mine[k - 1]!.seq);
  }

  // Every receiver (each sender included) sees all of them, once each, in increasing seq: the same order.
  const orders = await Promise.all(sockets.map(async (s) => (await s.waitForCount(isCreatedIn(conv.id), TOTAL, 20_000)).map((e) => (e as MessageCreatedEvent).message.id)));
  const bySeq = [...all].sort((x, y) => x.seq - y.seq).map((a) => a.id);
  for (const [i, s] of sockets.entries()) {
    const seen = s.events.filter(isCreatedIn(conv.id));
    expect(seen, `receiver ${i} saw duplicates`).toHaveLength(TOTAL);
    const seenSeqs = seen.map((e) => e.seq);
    for (let k = 1; k < seenSeqs.length; k++) expect(seenSeqs[k], `receiver ${i} got seq ${seenSeqs[k]} after ${seenSeqs[k - 1]}`).toBeGreaterThan(seenSeqs[k - 1]!);
    expect(orders[i]).toEqual(bySeq);
  }
  // Each pushed event matches its ack.
  const ackById = new Map(all.map((a) => [a.id, a]));
  for (const e of sockets[0]!.events.filter(isCreatedIn(conv.id))) expect(e.seq).toBe(ackById.get(e.message.id)!.seq);

  // History agrees with the live order.
  const hist = await api<HistoryPage>(server, 'GET', `/conversations/${conv.id}/messages?after_seq=${start}&limit=1000`, undefined, users[0]!.token);
  expect(hist.body.messages.map((m) => m.id)).toEqual(bySeq);

  await Promise.all(sockets.map((s) => s.close()));
  sockets = [];
}

test('20 members sending at once into one group get gapless seqs, and every member sees the same order', async () => {
  const [owner, ...rest] = users;
  const group = await createConversation(server, owner!.token, { kind: 'group', member_ids: rest.map((u) => u.user.id), name: 'storm' });
  expect(group.member_count).toBe(CLIENTS);
  await sendStorm(group);
});

test('20 members sending at once into one public channel get gapless seqs, and every member sees the same order', async () => {
  const [owner, ...rest] = users;
  const channel = await createConversation(server, owner!.token, { kind: 'channel', name: `storm-${randomUUID().slice(0, 8)}`, visibility: 'public' });
  for (const u of rest) expect((await api(server, 'POST', `/conversations/${channel.id}/join`, undefined, u.token)).status).toBe(200);
  const fresh = await api<Conversation>(server, 'GET', `/conversations/${channel.id}`, undefined, owner!.token);
  expect(fresh.body.member_count).toBe(CLIENTS);
  await sendStorm(fresh.body);
});
