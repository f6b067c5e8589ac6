/**
 * `parley serve --workers 2` on PostgreSQL and NATS: two processes behind one port, users spread
 * over both, chatting as if there were one. Skipped (one line) without PARLEY_TEST_PG_URL and
 * PARLEY_TEST_NATS_URL.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import type { MessageCreatedEvent } from '@parley/protocol';
import { SocketClient, createConversation, registerUser } from '@parley/server/testing';
import { freePort } from '@parley/server/testing/ports';
import { spawnServer } from '@parley/server/testing/spawn';

const PG = process.env.PARLEY_TEST_PG_URL;
const NATS = process.env.PARLEY_TEST_NATS_URL;
const stops: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s().catch(() => undefined);
});

describe.skipIf(!PG || !NATS || process.env.PARLEY_TEST_DB === 'postgres')('--workers on PostgreSQL and NATS (needs PARLEY_TEST_PG_URL and PARLEY_TEST_NATS_URL)', () => {
  test('two workers share one port; sockets land on both, every member gets every message, and the metrics port sums both workers', async () => {
    const schema = `parley_t_w_${crypto.randomBytes(6).toString('hex')}`;
    const metricsPort = await freePort();
    // Ready once both workers answer /readyz: sockets opened earlier would all land on the first.
    const server = await spawnServer({
      args: ['--workers', '2'],
      env: { DATABASE_URL: PG!, PARLEY_PG_SCHEMA: schema, NATS_URL: NATS!, PARLEY_METRICS_PORT: String(metricsPort) },
    });
    stops.push(() => server.stop());
    const users = [];
    for (let i = 0; i < 6; i++) users.push(await registerUser(server));
    const conv = await createConversation(server, users[0]!.token, { kind: 'group', member_ids: users.slice(1).map((u) => u.user.id) });
    const sockets = await Promise.all(users.map((u) => SocketClient.connect(server, u.token)));
    stops.push(() => Promise.all(sockets.map((s) => s.close())));

    // The presence rows name the node (worker) holding each user's socket: both workers serve.
    const db = new pg.Client({ connectionString: PG });
    await db.connect();
    const nodes = async () => (await db.query<{ node_id: string }>(`SELECT DISTINCT node_id FROM ${schema}.presence`)).rows.length;
    await expect.poll(nodes, { timeout: 10_000 }).toBe(2);
    await db.end();

    const acks = await Promise.all(sockets.map((s, i) => s.request('message.send', { conv_id: conv.id, client_msg_id: `w${i}`, body: `from ${i}` })));
    for (const s of sockets) {
      const got = await s.waitForCount((e) => e.type === 'message.created' && e.conv_id === conv.id, acks.length, 10_000);
      expect(new Set(got.map((e) => (e as MessageCreatedEvent).message.id))).toEqual(new Set(acks.map((a) => a.id)));
    }

    // One scrape of the node: the primary asks both workers and sums what is per worker (sockets,
    // sends), but not what each reads from the shared database (sessions: 6, not 12).
    const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    await expect.poll(async () => value(await scrape(), 'parley_sockets{state="authenticated"}'), { timeout: 10_000 }).toBe(6);
    const text = await scrape();
    expect(value(text, 'parley_sends_total{outcome="acked"}')).toBe(6);
    expect(value(text, 'parley_sessions_active')).toBe(6);
  }, 90_000);
});
