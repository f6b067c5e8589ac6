import { afterAll, describe, expect, test } from 'vitest';
import type { ClusterStats } from '@parley/protocol';
import { CLUSTER_NEEDS, Cluster, clusterSkipped } from '../testing/cluster.js';
import { api, registerUser, type TestServer } from '../testing/harness.js';

const cluster = new Cluster('stats');
afterAll(() => cluster.stop());

describe.skipIf(clusterSkipped)(`admin stats on two nodes ${CLUSTER_NEEDS}`, () => {
  test("either node answers with both nodes' figures; a node that stops leaves the list", async () => {
    const n1 = await cluster.node('stats-a');
    const n2 = await cluster.node('stats-b');
    const owner = await registerUser(n1);
    const bob = await registerUser(n2);
    await cluster.connect(n1, owner.token);
    await cluster.connect(n2, bob.token);
    await cluster.connect(n2, bob.token);
    const read = async (from: TestServer) => {
      await n1.parley.heartbeat.beat();
      await n2.parley.heartbeat.beat();
      const res = await api<ClusterStats>(from, 'GET', '/admin/stats', undefined, owner.token);
      expect(res.status).toBe(200);
      return res.body;
    };
    for (const from of [n1, n2]) {
      const s = await read(from);
      expect(s.nodes.map((n) => [n.name, n.healthy, n.sockets, n.users])).toEqual([
        ['stats-a', true, 1, 1],
        ['stats-b', true, 2, 1],
      ]);
      expect(s.totals).toMatchObject({ nodes: 2, healthy_nodes: 2, sockets: 3, users: 2 });
    }
    // A member asking either node is refused.
    expect((await api(n2, 'GET', '/admin/stats', undefined, bob.token)).status).toBe(403);

    await n2.stop();
    const res = await api<ClusterStats>(n1, 'GET', '/admin/stats', undefined, owner.token);
    expect(res.body.nodes.map((n) => n.name)).toEqual(['stats-a']);
  }, 60_000);
});
