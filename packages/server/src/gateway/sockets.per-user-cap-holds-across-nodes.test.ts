/**
 * The per-account socket cap on two nodes sharing one PostgreSQL and one NATS. Skipped, with one
 * line, unless PARLEY_TEST_PG_URL and PARLEY_TEST_NATS_URL are set.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { CloseCodes } from '@parley/protocol';
import { CLUSTER_NEEDS, Cluster, clusterSkipped } from '../testing/cluster.js';
import { RequestError, SocketClient, registerUser, sleep, type TestServer } from '../testing/harness.js';

const clusters: Cluster[] = [];
afterAll(async () => {
  for (const c of clusters) await c.stop();
});

/** Two nodes of a fresh cluster whose accounts hold at most 3 sockets. */
async function twoNodes(prefix: string): Promise<[Cluster, TestServer, TestServer]> {
  const cluster = new Cluster('cap');
  clusters.push(cluster);
  const limits = { limits: { maxSocketsPerUser: 3 } };
  return [cluster, await cluster.node(`${prefix}-n1`, limits), await cluster.node(`${prefix}-n2`, limits)];
}

/** Opens a socket and expects its auth to be refused with too_many_connections and close 4009. */
async function refused(cluster: Cluster, s: TestServer, token: string): Promise<void> {
  const c = new SocketClient(s.wsUrl);
  cluster.defer(() => c.close());
  await c.opened;
  const err = await c.request('auth', { token }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RequestError);
  expect((err as RequestError).error.code).toBe('too_many_connections');
  expect((await c.closed).code).toBe(CloseCodes.tooManyConnections);
}

describe.skipIf(clusterSkipped)(`socket cap across nodes ${CLUSTER_NEEDS}`, () => {
  test('an account capped at 3 sockets cannot hold 3 on each of two nodes: the 4th is refused on either node, and closing one makes room', async () => {
    const [cluster, n1, n2] = await twoNodes('cap');
    const alice = await registerUser(n1);
    const bob = await registerUser(n2);

    const first = [await cluster.connect(n1, alice.token), await cluster.connect(n1, alice.token)];
    await cluster.connect(n2, alice.token);
    await refused(cluster, n2, alice.token);
    await refused(cluster, n1, alice.token);
    // Another account on the same nodes is not affected.
    await cluster.connect(n2, bob.token);

    // A socket closed on n1 frees a place for n2 once n1 has written its new count.
    await first[0]!.close();
    await sleep(300);
    const again = await cluster.connect(n2, alice.token);
    expect(again.hello!.user.id).toBe(alice.user.id);
    await refused(cluster, n1, alice.token);
  }, 60_000);

  test('six sockets racing for one account on two nodes at once: never more than the cap get in', async () => {
    const [cluster, n1, n2] = await twoNodes('race');
    const carol = await registerUser(n1);
    const attempts = [n1, n2, n1, n2, n1, n2].map(async (n) => {
      const c = new SocketClient(n.wsUrl);
      cluster.defer(() => c.close());
      await c.opened;
      return c.request('auth', { token: carol.token }).then(
        () => 'in',
        (e: unknown) => (e instanceof RequestError ? e.error.code : String(e)),
      );
    });
    const outcomes = await Promise.all(attempts);
    // At the boundary both nodes may refuse (each sees the other's reservations): the cap is
    // never passed, and a refused client retries.
    expect(outcomes.filter((o) => o === 'in').length).toBeLessThanOrEqual(3);
    expect(outcomes.filter((o) => o !== 'in').every((o) => o === 'too_many_connections')).toBe(true);
    // Once the race is over, the places left are given out one by one on either node.
    await sleep(300);
    const held = outcomes.filter((o) => o === 'in').length;
    for (let i = held; i < 3; i++) await cluster.connect(i % 2 ? n1 : n2, carol.token);
    await refused(cluster, n1, carol.token);
    await refused(cluster, n2, carol.token);
  }, 60_000);
});
