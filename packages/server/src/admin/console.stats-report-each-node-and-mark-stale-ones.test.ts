import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ClusterStats } from '@parley/protocol';
import { SocketClient, api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { STALE_AFTER_MS } from './heartbeat.js';

let server: TestServer;
let owner: TestUser;
beforeAll(async () => {
  server = await startServer();
  owner = await registerUser(server);
});
afterAll(async () => {
  await server.stop();
});

const stats = async () => {
  await server.parley.heartbeat.beat();
  const res = await api<ClusterStats>(server, 'GET', '/admin/stats', undefined, owner.token);
  expect(res.status).toBe(200);
  return res.body;
};

test("the node reports its sockets, signed-in users and the minute's messages through its heartbeat", async () => {
  const bob = await registerUser(server);
  const sockets = [await SocketClient.connect(server, owner.token), await SocketClient.connect(server, owner.token), await SocketClient.connect(server, bob.token)];
  const ch = await createConversation(server, owner.token, { kind: 'channel', name: `stats-${randomUUID().slice(0, 6)}`, visibility: 'public', member_ids: [] });
  const before = (await stats()).nodes.find((n) => n.name === server.parley.config.nodeName)!;
  for (let i = 0; i < 3; i++) await sockets[0]!.request('message.send', { conv_id: ch.id, client_msg_id: randomUUID(), body: `hello ${i}` });

  const s = await stats();
  const me = s.nodes.find((n) => n.name === server.parley.config.nodeName);
  expect(me).toMatchObject({ healthy: true, sockets: 3, authenticated_sockets: 3, users: 2 });
  expect(me!.messages_last_minute - before.messages_last_minute).toBe(3);
  expect(Date.parse(me!.last_heartbeat_at)).toBeGreaterThan(Date.now() - 60_000);
  expect(s.totals).toMatchObject({ nodes: 1, healthy_nodes: 1, sockets: 3, users: 2 });

  await sockets[2]!.close();
  await expect.poll(async () => (await stats()).nodes[0]!.users, { timeout: 10_000 }).toBe(1);
  for (const c of sockets) await c.close();
});

test('a node whose heartbeat stopped coming is shown stale and left out of the totals', async () => {
  const db = server.parley.services.deps.db;
  const t = Date.now();
  await db
    .insertInto('nodes')
    .values({ name: 'gone-node', started_at: t - 3_600_000, heartbeat_at: t - STALE_AFTER_MS - 5_000, sockets: 40, authenticated_sockets: 40, users: 30, messages_last_minute: 9 })
    .execute();
  const s = await stats();
  expect(s.nodes.find((n) => n.name === 'gone-node')).toMatchObject({ healthy: false, sockets: 40 });
  expect(s.nodes.find((n) => n.name === server.parley.config.nodeName)).toMatchObject({ healthy: true });
  expect(s.totals).toMatchObject({ nodes: 2, healthy_nodes: 1 });
  expect(s.totals.sockets).toBeLessThan(40);
  await db.deleteFrom('nodes').where('name', '=', 'gone-node').execute();
});
