/**
 * The socket cap across nodes (gateway.ts, authenticate) admits a socket only after this node's
 * presence row counts it: the other nodes read that row. Two writes of the row in flight at once
 * must never land out of order, or the row says fewer sockets than this node has admitted and the
 * other node lets more in (seen in CI: 4 sockets for a cap of 3). Real PostgreSQL; skipped, in one
 * line, without PARLEY_TEST_PG_URL.
 */
import crypto from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import pino from 'pino';
import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import type { Deps } from '../core/context.js';
import type { Database } from '../store/schema.js';
import { openPostgres } from '../store/postgres.js';
import { PresenceService } from './service.js';

const PG = process.env.PARLEY_TEST_PG_URL;
const schema = `parley_presence_${crypto.randomBytes(6).toString('hex')}`;
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe.skipIf(!PG)('presence rows on PostgreSQL (needs PARLEY_TEST_PG_URL)', () => {
  test('a write that waits longer for its connection never overwrites a later, higher socket count', async () => {
    const log = pino({ level: 'silent' });
    const opened = await openPostgres(PG!, schema, 4, log);
    cleanup.push(async () => {
      await opened.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await opened.close();
    });
    // The first connection handed out arrives 300 ms late (a fresh connection's handshake on a
    // busy database): the write that asked first reaches PostgreSQL last.
    const real = new pg.Pool({ connectionString: PG, max: 4, options: `-c search_path=${schema}` });
    let slowNext = true;
    const pool: PostgresPool = {
      async connect() {
        const slow = slowNext;
        slowNext = false;
        const client = await real.connect();
        if (slow) await new Promise((r) => setTimeout(r, 300));
        return client;
      },
      end: () => real.end(),
    };
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    cleanup.push(() => db.destroy());
    const deps = {
      db,
      pg: real,
      sqlite: null,
      sqliteReader: null,
      sqliteTurn: null,
      log,
      now: () => Date.now(),
      config: { nodeName: 'n1' },
      publisher: { presence: () => undefined },
    } as unknown as Deps;
    const presence = new PresenceService(deps);
    const row = async () => (await opened.db.selectFrom('presence').select('sockets').where('node_id', '=', 'n1').where('user_id', '=', 'u1').executeTakeFirst())?.sockets;

    // First socket: its row write takes the slow connection.
    const first = presence.connected('u1');
    await new Promise((r) => setImmediate(r));
    // Second socket, a turn later: its write gets a quick connection.
    const second = presence.connected('u1');
    await second;
    // The second socket is admitted once its write is done: the row must count both by then,
    await Promise.all([first, second]);
    expect(presence.localSockets('u1')).toBe(2);
    // and still count both after the slow write has landed.
    expect(await row()).toBe(2);
  }, 30_000);
});
