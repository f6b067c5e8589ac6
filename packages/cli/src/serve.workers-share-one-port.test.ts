/**
 * `parley serve --workers 2` on PostgreSQL and NATS: two processes behind one port, users spread
 * over both, chatting as if there were one. Skipped (one line) without PARLEY_TEST_PG_URL and
 * PARLEY_TEST_NATS_URL.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import type { MessageCreatedEvent } from '@parley/protocol';
import { SocketClient, createConversation, registerUser } from '@parley/server/testing';

const PG = process.env.PARLEY_TEST_PG_URL;
const NATS = process.env.PARLEY_TEST_NATS_URL;
const cli = fileURLToPath(new URL('../bin/parley.js', import.meta.url));
const stops: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s().catch(() => undefined);
});

describe.skipIf(!PG || !NATS || process.env.PARLEY_TEST_DB === 'postgres')('--workers on PostgreSQL and NATS (needs PARLEY_TEST_PG_URL and PARLEY_TEST_NATS_URL)', () => {
  test('two workers share one port; sockets land on both, every member gets every message, and the metrics port sums both workers', async () => {
    const schema = `parley_t_w_${crypto.randomBytes(6).toString('hex')}`;
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const metricsPort = port + 1;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-workers-'));
    const proc = spawn(process.execPath, [cli, 'serve', '--workers', '2', '--port', String(port), '--data-dir', dataDir], {
      env: {
        ...process.env,
        DATABASE_URL: PG!,
        PARLEY_PG_SCHEMA: schema,
        NATS_URL: NATS!,
        LOG_LEVEL: 'warn',
        PARLEY_METRICS_PORT: String(metricsPort),
        PARLEY_AUTH_RATE_PER_MIN: '100000',
        PARLEY_IP_RATE_PER_SEC: '100000',
        PARLEY_IP_BURST: '100000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise((r) => proc.once('exit', r));
    stops.push(async () => {
      proc.kill('SIGTERM');
      await exited;
    });
    const server = { url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/ws` };
    // Each worker loads the server through tsx: 25 s and more on a loaded 2-core CI (27 s in one run).
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${server.url}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('workers did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const users = [];
    for (let i = 0; i < 6; i++) users.push(await registerUser(server));
    const conv = await createConversation(server, users[0]!.token, { kind: 'group', member_ids: users.slice(1).map((u) => u.user.id) });
    const sockets = await Promise.all(users.map((u) => SocketClient.connect(server, u.token)));
    stops.push(() => Promise.all(sockets.map((s) => s.close())));

    // The presence rows name the node (worker) holding each user's socket: both workers serve.
    const db = new pg.Client({ connectionString: PG });
    await db.connect();
    const nodes = await db.query<{ node_id: string }>(`SELECT DISTINCT node_id FROM ${schema}.presence`);
    await db.end();
    expect(nodes.rows.length).toBe(2);

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
