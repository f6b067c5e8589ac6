/**
 * The per-account socket cap on two nodes sharing one PostgreSQL and one NATS. Skipped, with one
 * line, unless PARLEY_TEST_PG_URL and PARLEY_TEST_NATS_URL are set.
 */
import crypto from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { CloseCodes } from '@parley/protocol';
import type { NatsBus } from '../bus/nats.js';
import { RequestError, SocketClient, registerUser, sleep, startServer, type TestServer } from '../testing/harness.js';

const PG = process.env.PARLEY_TEST_PG_URL;
const NATS = process.env.PARLEY_TEST_NATS_URL;
const secret = crypto.randomBytes(24).toString('hex');
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function node(name: string, schema: string): Promise<TestServer> {
  const s = await startServer({ databaseUrl: PG!, pgSchema: schema, natsUrl: NATS!, nodeName: name, jwtSecret: secret, limits: { maxSocketsPerUser: 3 } });
  cleanups.push(() => s.stop());
  await (s.parley.bus as NatsBus).ready();
  return s;
}

async function connect(s: TestServer, token: string): Promise<SocketClient> {
  const c = await SocketClient.connect(s, token);
  cleanups.push(() => c.close());
  return c;
}

/** Opens a socket and expects its auth to be refused with too_many_connections and close 4009. */
async function refused(s: TestServer, token: string): Promise<void> {
  const c = new SocketClient(s.wsUrl);
  cleanups.push(() => c.close());
  await c.opened;
  const err = await c.request('auth', { token }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RequestError);
  expect((err as RequestError).error.code).toBe('too_many_connections');
  expect((await c.closed).code).toBe(CloseCodes.tooManyConnections);
}

// The PostgreSQL rerun of the suite skips this file: it runs on PostgreSQL in the main pass.
describe.skipIf(!PG || !NATS || process.env.PARLEY_TEST_DB === 'postgres')('socket cap across nodes (needs PARLEY_TEST_PG_URL and PARLEY_TEST_NATS_URL)', () => {
  test('an account capped at 3 sockets cannot hold 3 on each of two nodes: the 4th is refused on either node, and closing one makes room', async () => {
    const schema = `parley_t_cap_${crypto.randomBytes(6).toString('hex')}`;
    const [n1, n2] = [await node('cap-n1', schema), await node('cap-n2', schema)];
    const alice = await registerUser(n1);
    const bob = await registerUser(n2);

    const first = [await connect(n1, alice.token), await connect(n1, alice.token)];
    await connect(n2, alice.token);
    await refused(n2, alice.token);
    await refused(n1, alice.token);
    // Another account on the same nodes is not affected.
    await connect(n2, bob.token);

    // A socket closed on n1 frees a place for n2 once n1 has written its new count.
    await first[0]!.close();
    await sleep(300);
    const again = await connect(n2, alice.token);
    expect(again.hello!.user.id).toBe(alice.user.id);
    await refused(n1, alice.token);
  }, 60_000);

  test('six sockets racing for one account on two nodes at once: never more than the cap get in', async () => {
    const schema = `parley_t_cap_${crypto.randomBytes(6).toString('hex')}`;
    const [n1, n2] = [await node('race-n1', schema), await node('race-n2', schema)];
    const carol = await registerUser(n1);
    const attempts = [n1, n2, n1, n2, n1, n2].map(async (n) => {
      const c = new SocketClient(n.wsUrl);
      cleanups.push(() => c.close());
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
    for (let i = held; i < 3; i++) await connect(i % 2 ? n1 : n2, carol.token);
    await refused(n1, carol.token);
    await refused(n2, carol.token);
  }, 60_000);
});
