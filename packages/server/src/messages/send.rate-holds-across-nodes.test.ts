/**
 * The per-user send budget on two nodes sharing one PostgreSQL and one NATS. Skipped, with one
 * line, unless PARLEY_TEST_PG_URL and PARLEY_TEST_NATS_URL are set.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { CLUSTER_NEEDS, Cluster, clusterSkipped } from '../testing/cluster.js';
import { RequestError, createConversation, registerUser } from '../testing/harness.js';

const cluster = new Cluster('send');
afterAll(() => cluster.stop());

describe.skipIf(clusterSkipped)(`send budget across nodes ${CLUSTER_NEEDS}`, () => {
  test('one user sending from a socket on each of two nodes at once gets the send burst once, not once per node', async () => {
    const limits = { limits: { sendRatePerSec: 0.05, sendBurst: 8 } };
    const [n1, n2] = [await cluster.node('send-n1', limits), await cluster.node('send-n2', limits)];
    const alice = await registerUser(n1);
    const bob = await registerUser(n2);
    const dm = await createConversation(n1, alice.token, { kind: 'dm', user_id: bob.user.id });
    const sockets = [await cluster.connect(n1, alice.token), await cluster.connect(n2, alice.token)];

    const outcomes = await Promise.all(
      sockets.flatMap((s, k) =>
        Array.from({ length: 10 }, (_, i) =>
          s.request('message.send', { conv_id: dm.id, client_msg_id: `n${k}-${i}`, body: `flood ${k}.${i}` }).then(
            () => 'sent',
            (e: unknown) => (e instanceof RequestError ? e.error.code : String(e)),
          ),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(8);
    expect(outcomes.filter((o) => o !== 'sent').every((o) => o === 'rate_limited')).toBe(true);

    // With the budget spent, a retry of a message that was sent is still answered (as a
    // duplicate): retries are never charged.
    const first = outcomes.indexOf('sent');
    const [k, i] = [Math.floor(first / 10), first % 10];
    const again = await sockets[k]!.request('message.send', { conv_id: dm.id, client_msg_id: `n${k}-${i}`, body: `flood ${k}.${i}` });
    expect(again.duplicate).toBe(true);
  }, 60_000);
});
