import net from 'node:net';
import pg from 'pg';
import pino from 'pino';
import { afterEach, expect, test } from 'vitest';
import { isStorageUnavailable, StorageUnavailableError } from '../core/errors.js';
import { tcpProxy } from '../testing/tcp-proxy.js';
import { StoragePool } from './pg-pool.js';

const PG = process.env.PARLEY_TEST_PG_URL;
const onPg = process.env.PARLEY_TEST_DB === 'postgres' && !!PG;
const silent = pino({ level: 'silent' });
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** What a failure is rejected with. */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

test('a storage outage is told by its code: SQLite result codes, PostgreSQL SQLSTATEs and the pool’s tag, never a bare socket code or a message', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_BUSY', '57P01', '57P03', '08006', '08001', '53100', '53300', 'STORAGE_UNAVAILABLE'])
    expect(isStorageUnavailable(withCode(code)), code).toBe(true);
  expect(isStorageUnavailable(new StorageUnavailableError(new Error('Connection terminated unexpectedly')))).toBe(true);
  // An HTTP client hanging up mid-body: Node's "aborted" with ECONNRESET. Not our storage.
  expect(isStorageUnavailable(withCode('ECONNRESET', 'aborted'))).toBe(false);
  expect(isStorageUnavailable(withCode('EPIPE'))).toBe(false);
  expect(isStorageUnavailable(withCode('23505'))).toBe(false);
  expect(isStorageUnavailable(withCode('SQLITE_CONSTRAINT_UNIQUE'))).toBe(false);
  // node-postgres' code-less messages count only once the pool has tagged them.
  expect(isStorageUnavailable(new Error('Connection terminated unexpectedly'))).toBe(false);
});

test('a pool that cannot connect rejects with a tagged error that keeps the cause', async () => {
  // A port nobody listens on: the refusal carries ECONNREFUSED, the pool tags it.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const pool = new StoragePool({ connectionString: `postgres://nobody@127.0.0.1:${port}/none`, connectionTimeoutMillis: 2_000 }, silent, 'test');
  cleanup.push(() => pool.end());
  const err = await failure(pool.connect());
  expect(err).toBeInstanceOf(StorageUnavailableError);
  expect(isStorageUnavailable(err)).toBe(true);
  expect(((err as Error).cause as { code?: string }).code).toBe('ECONNREFUSED');
});

test.skipIf(!onPg)('PostgreSQL: a query on a connection that is cut is a tagged outage; an error the server answers keeps its SQLSTATE and is not one', async () => {
  const url = new URL(PG!);
  const proxy = await tcpProxy(url.hostname, Number(url.port || 5432));
  cleanup.push(() => proxy.close());
  const proxied = new URL(PG!);
  proxied.host = `127.0.0.1:${proxy.port}`;
  const lines: { msg: string }[] = [];
  const log = pino({ level: 'warn' }, { write: (s: string) => void lines.push(JSON.parse(s) as { msg: string }) });
  const pool = new StoragePool({ connectionString: proxied.toString(), max: 1, connectionTimeoutMillis: 2_000 }, log, 'test');
  cleanup.push(() => pool.end());

  const client = await pool.connect();
  // The server's own answers are not outages, and keep their class.
  const syntax = await failure(client.query('SELEC 1'));
  expect(syntax).toBeInstanceOf(pg.DatabaseError);
  expect(isStorageUnavailable(syntax)).toBe(false);

  // The wire is cut while a query waits: pg rejects it with a code-less "Connection terminated
  // unexpectedly" (or the socket's ECONNRESET), which the pool tags.
  const pending = failure(client.query('SELECT pg_sleep(5)'));
  await new Promise((r) => setTimeout(r, 100));
  proxy.cut();
  const lost = await pending;
  expect(lost).toBeInstanceOf(StorageUnavailableError);
  expect(isStorageUnavailable(lost)).toBe(true);
  // A dead client's next query ("not queryable") is tagged too, and the loss was logged.
  expect(await failure(client.query('SELECT 1'))).toBeInstanceOf(StorageUnavailableError);
  client.release(true);
  expect(lines.map((l) => l.msg)).toContain('test: a PostgreSQL connection in use was lost');

  // While PostgreSQL stays unreachable, connecting fails tagged as well.
  expect(await failure(pool.connect())).toBeInstanceOf(StorageUnavailableError);
  proxy.restore();
  const again = await pool.connect();
  expect((await again.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
  again.release();
});
