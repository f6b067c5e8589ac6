/**
 * The PostgreSQL limiter against a real PostgreSQL: two stores stand for two nodes (or workers)
 * sharing one table. Skipped, with one line, unless PARLEY_TEST_PG_URL is set.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, describe, expect, test } from 'vitest';
import { openPostgres } from '../store/postgres.js';
import { PgLimitStore, type Limiter } from './limits.js';
import type { OpenedDb } from '../store/db.js';

const PG = process.env.PARLEY_TEST_PG_URL;
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const silent = pino({ level: 'silent' });

/** A fresh schema with the server's migrations, and `n` limit stores ("nodes") on it. */
async function nodes(n: number): Promise<{ schema: string; stores: PgLimitStore[]; db: OpenedDb }> {
  const schema = `parley_t_lim_${crypto.randomBytes(6).toString('hex')}`;
  const db = await openPostgres(PG!, schema, 2, pino({ level: 'silent' }));
  cleanups.push(() => db.close());
  const stores = Array.from({ length: n }, () => new PgLimitStore(PG!, schema, silent));
  for (const s of stores) cleanups.push(() => s.close());
  return { schema, stores, db };
}

const allowed = (waits: number[]) => waits.filter((w) => w === 0).length;

describe.skipIf(!PG)('shared rate limits on PostgreSQL (needs PARLEY_TEST_PG_URL)', () => {
  test('two nodes charging one key at once allow no more than the burst together, and tell the refused when to retry', async () => {
    const { stores } = await nodes(2);
    const [a, b] = stores.map((s) => s.limiter('login', 1 / 60, 10)) as [Limiter, Limiter];
    // 15 takes on each node, all in one turn: each node sends one statement for its 15.
    const waits = await Promise.all([...Array.from({ length: 15 }, () => a.take('10.0.0.7')), ...Array.from({ length: 15 }, () => b.take('10.0.0.7'))]);
    expect(allowed(waits)).toBe(10);
    for (const w of waits.filter((x) => x > 0)) {
      expect(w).toBeGreaterThan(0);
      expect(w).toBeLessThanOrEqual(60_000);
    }
    // Spread over turns and nodes, the bucket stays empty: nothing more passes.
    for (let i = 0; i < 5; i++) expect(await (i % 2 ? a : b).take('10.0.0.7')).toBeGreaterThan(0);
    // Another key, and the same key under another limiter name, have their own buckets.
    expect(await a.take('10.0.0.8')).toBe(0);
    expect(await stores[1]!.limiter('ip', 1 / 60, 10).take('10.0.0.7')).toBe(0);
  });

  test('several takes of one key in one turn each get their own answer, in arrival order', async () => {
    const { stores } = await nodes(1);
    const l = stores[0]!.limiter('send', 1, 3);
    const waits = await Promise.all(Array.from({ length: 5 }, () => l.take('u1')));
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(0);
    expect(waits[3]).toBeLessThanOrEqual(1000);
  });

  test('a take and a give-back of one key in the same turn are both answered (the give-back waits a turn)', async () => {
    const { stores } = await nodes(1);
    const l = stores[0]!.limiter('login', 1 / 60, 2);
    expect(await Promise.all([l.take('k'), l.take('k')])).toEqual([0, 0]);
    // Empty now: a give-back and two takes in one turn. The give-back has another cost, so it is
    // charged in the next statement; the takes are refused in this one, and one passes after.
    const [refusedA, gaveBack, refusedB] = await Promise.all([l.take('k'), l.take('k', -1), l.take('k')]);
    expect(refusedA).toBeGreaterThan(0);
    expect(refusedB).toBeGreaterThan(0);
    expect(gaveBack).toBe(0);
    expect(await l.take('k')).toBe(0);
    expect(await l.take('k')).toBeGreaterThan(0);
  });

  test('tokens come back at the configured rate, and a negative cost gives one back', async () => {
    const { stores } = await nodes(2);
    // A token a second: slow enough that a loaded machine's round trips do not refill it.
    const [a, b] = stores.map((s) => s.limiter('read', 1, 1)) as [Limiter, Limiter];
    expect(await a.take('u')).toBe(0);
    const wait = await b.take('u');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1000);
    await new Promise((r) => setTimeout(r, wait + 20));
    expect(await b.take('u')).toBe(0);
    expect(await a.take('u')).toBeGreaterThan(0);
    await b.take('u', -1);
    expect(await a.take('u')).toBe(0);
  });

  test('two nodes charging the same keys in opposite orders never deadlock (no charge falls back)', async () => {
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const { schema } = await nodes(0);
    const stores = [new PgLimitStore(PG!, schema, log), new PgLimitStore(PG!, schema, log)];
    for (const st of stores) cleanups.push(() => st.close());
    const [a, b] = stores.map((st) => st.limiter('ip', 1000, 1_000_000)) as [Limiter, Limiter];
    const keys = Array.from({ length: 200 }, (_, i) => `10.1.${Math.floor(i / 250)}.${i % 250}`);
    for (let round = 0; round < 15; round++) {
      const waits = await Promise.all([...keys.map((k) => a.take(k)), ...[...keys].reverse().map((k) => b.take(k))]);
      expect(allowed(waits)).toBe(waits.length);
    }
    expect(warnings).toEqual([]);
  });

  test('idle buckets that have refilled are swept; busy ones stay', async () => {
    const { stores, schema } = await nodes(1);
    const fast = stores[0]!.limiter('fast', 1000, 1);
    const slow = stores[0]!.limiter('slow', 1 / 3600, 1);
    await Promise.all([fast.take('k'), slow.take('k')]);
    await new Promise((r) => setTimeout(r, 20));
    await stores[0]!.sweep();
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    const rows = await c.query<{ key: string }>(`SELECT key FROM ${schema}.rate_buckets ORDER BY key`);
    await c.end();
    expect(rows.rows.map((r) => r.key)).toEqual(['slow:k']);
  });

  test('when PostgreSQL cannot be reached, each node falls back to its own in-memory bucket and chat goes on', async () => {
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    // Nothing listens on port 1: every charge fails.
    const store = new PgLimitStore('postgres://postgres@127.0.0.1:1/none', null, log);
    cleanups.push(() => store.close());
    const l = store.limiter('send', 1 / 60, 3);
    const waits = await Promise.all(Array.from({ length: 5 }, () => l.take('u')));
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(0);
    expect(warnings.join('')).toMatch(/shared rate limits unavailable/);
  });
});
