/**
 * The per-user send budget on two nodes sharing one PostgreSQL and one NATS. Skipped, with one
 * line, unless PARLEY_TEST_PG_URL and PARLEY_TEST_NATS_URL are set.
 */
import crypto from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import type { NatsBus } from '../bus/nats.js';
import { RequestError, SocketClient, createConversation, registerUser, startServer, type TestServer } from '../testing/harness.js';

const PG = process.env.PARLEY_TEST_PG_URL;
const NATS = process.env.PARLEY_TEST_NATS_URL;
const secret = crypto.randomBytes(24).toString('hex');
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function node(name: string, schema: string): Promise<TestServer> {
  const s = await startServer({ databaseUrl: PG!, pgSchema: schema, natsUrl: NATS!, nodeName: name, jwtSecret: secret, limits: { sendRatePerSec: 0.05, sendBurst: 8 } });
  cleanups.push(() => s.stop());
  await (s.parley.bus as NatsBus).ready();
  return s;
}

describe.skipIf(!PG || !NATS || process.env.PARLEY_TEST_DB === 'postgres')('send budget across nodes (needs PARLEY_TEST_PG_URL and PARLEY_TEST_NATS_URL)', () => {
  test('one user sending from a socket on each of two nodes at once gets the send burst once, not once per node', async () => {
    const schema = `parley_t_send_${crypto.randomBytes(6).toString('hex')}`;
    const [n1, n2] = [await node('send-n1', schema), await node('send-n2', schema)];
    const alice = await registerUser(n1);
    const bob = await registerUser(n2);
    const dm = await createConversation(n1, alice.token, { kind: 'dm', user_id: bob.user.id });
    const sockets = [await SocketClient.connect(n1, alice.token), await SocketClient.connect(n2, alice.token)];
    cleanups.push(() => Promise.all(sockets.map((s) => s.close())));

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
