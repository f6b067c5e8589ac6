/**
 * The tus locker on a real PostgreSQL: two lockers stand for two nodes (one bus between them,
 * as NATS would be). Skipped, in one line, without PARLEY_TEST_PG_URL.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { ERRORS } from '@tus/utils';
import { MemoryBus } from '../bus/memory.js';
import { PgUploadLocker } from './tus-locker.js';

const PG = process.env.PARLEY_TEST_PG_URL;
const log = pino({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Two nodes' lockers on one database and one bus. */
function nodes(acquireTimeoutMs = 30_000): [PgUploadLocker, PgUploadLocker] {
  const bus = new MemoryBus();
  const ns = `t_${crypto.randomBytes(6).toString('hex')}`;
  const make = () => {
    const l = new PgUploadLocker(PG!, bus, log, ns, acquireTimeoutMs);
    cleanups.push(() => l.close());
    return l;
  };
  return [make(), make()];
}

const never = new AbortController().signal;

describe.skipIf(!PG)('tus upload locks on PostgreSQL (needs PARLEY_TEST_PG_URL)', () => {
  test('a second node waits for the lock, asks the holder to release it, and gets it once released', async () => {
    const [a, b] = nodes();
    const held = a.newLock('up1');
    let asked = 0;
    await held.lock(never, () => {
      // Asked on every retry; the holder's request winds down once, then unlocks (tus does this after its drain time).
      if (asked++ === 0) setTimeout(() => void held.unlock(), 100);
    });
    await b.newLock('up1').lock(never, () => undefined);
    expect(asked).toBeGreaterThanOrEqual(1);
    // Other uploads were never blocked.
    await a.newLock('up2').lock(never, () => undefined);
  });

  test('two requests on one node exclude each other too (advisory locks are re-entrant per connection)', async () => {
    const [a] = nodes(300);
    const first = a.newLock('same');
    await first.lock(never, () => undefined);
    await expect(a.newLock('same').lock(never, () => undefined)).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
    await first.unlock();
    await a.newLock('same').lock(never, () => undefined);
  });

  test('a waiter gives up with tus lock timeout when its request goes away or the holder never lets go', async () => {
    const [a, b] = nodes(300);
    await a.newLock('stuck').lock(never, () => undefined);
    const gone = new AbortController();
    gone.abort();
    await expect(b.newLock('stuck').lock(gone.signal, () => undefined)).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
    await expect(b.newLock('stuck').lock(never, () => undefined)).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
  });

  test('a node whose lock connection dies loses its locks at once: its requests are told to stop, another node takes over', async () => {
    const [a, b] = nodes();
    let stopped = false;
    await a.newLock('crash').lock(never, () => void (stopped = true));
    // Kill node A's lock session from outside, as a crash or a network cut would.
    const admin = new pg.Client({ connectionString: PG });
    await admin.connect();
    cleanups.push(() => admin.end());
    // A bigint advisory key shows in pg_locks as its high 32 bits (classid) and low 32 bits (objid).
    const key = BigInt.asUintN(64, BigInt(a.keyOf('crash')));
    const killed = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 1", [
      String(key >> 32n),
      String(key & 0xffffffffn),
    ]);
    expect(killed.rowCount).toBe(1);
    await b.newLock('crash').lock(never, () => undefined);
    expect(stopped).toBe(true);
  });
});
