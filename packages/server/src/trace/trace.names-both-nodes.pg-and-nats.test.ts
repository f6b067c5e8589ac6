/**
 * The message trace across two nodes on one real PostgreSQL and one real NATS. Skipped, with one
 * line, unless PARLEY_TEST_PG_URL and PARLEY_TEST_NATS_URL are set (`.ci/run` sets them).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import type { MessageTrace, TraceDevice } from '@parley/protocol';
import { api, createConversation, registerUser } from '../testing/harness.js';
import { Cluster, CLUSTER_NEEDS, clusterSkipped } from '../testing/cluster.js';

const cluster = new Cluster('trace');
afterAll(() => cluster.stop());

const deviceOf = (t: MessageTrace, sessionId: string): TraceDevice | undefined => t.recipients.flatMap((r) => r.devices).find((d) => d.session_id === sessionId);

describe.skipIf(clusterSkipped)(`message trace on two nodes ${CLUSTER_NEEDS}`, () => {
  test('sender on one node, recipient on the other: the trace names both nodes, read from either', async () => {
    const [na, nb] = [await cluster.node('trace-a'), await cluster.node('trace-b')];
    const owner = await registerUser(na);
    const alice = await registerUser(na);
    const bob = await registerUser(nb);
    const dm = await createConversation(na, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await cluster.connect(na, alice.token);
    const b = await cluster.connect(nb, bob.token);

    const sent = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'across the cluster' });
    await b.waitFor((e) => e.type === 'message.created' && e.message.id === sent.id);
    await b.request('delivery.ack', { conv_id: dm.id, seq: sent.seq });

    for (const reader of [na, nb]) {
      const trace = async () => (await api<MessageTrace>(reader, 'GET', `/admin/messages/${sent.id}/trace`, undefined, owner.token)).body;
      // Node B writes its acks within about a second; node A its batch's times likewise.
      await expect.poll(async () => (await trace()).published_at !== null && deviceOf(await trace(), bob.sessionId)?.status === 'delivered', { timeout: 15_000 }).toBe(true);
      const t = await trace();
      expect(t.node).toBe('trace-a');
      expect(deviceOf(t, bob.sessionId)).toMatchObject({ status: 'delivered', delivered_node: 'trace-b', node: 'trace-b', connected: true });
      expect(Date.parse(deviceOf(t, bob.sessionId)!.delivered_at!)).toBeGreaterThanOrEqual(Date.parse(t.published_at!));
    }
  });
});
