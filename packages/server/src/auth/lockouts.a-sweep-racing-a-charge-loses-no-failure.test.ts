/**
 * The sweep of idle lockout rows runs beside sign-ins, and on PostgreSQL on another connection
 * (or another node). Here it is made to land in the middle of a charge, right after the charge's
 * first statement on the row, with the sweep's own predicate. The charged failure must survive:
 * when it was lost, a guesser got one more attempt than the limit (CI saw a 401 where a 429 was
 * due). SQLite runs one transaction at a time, so the interleaving exists only on PostgreSQL.
 */
import { InsertQueryNode, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import { afterAll, describe, expect, test } from 'vitest';
import type { Actor } from '../core/context.js';
import { onPostgres, registerUser, startServer, type TestServer } from '../testing/harness.js';
import { LoginLockouts, sweepIdleLockouts, accountKey } from './lockouts.js';

const MIN = 60_000;
const running: TestServer[] = [];
afterAll(async () => {
  for (const s of running.splice(0)) await s.stop();
});

if (!onPostgres()) console.log('lockouts sweep race: skipped, PostgreSQL only (set PARLEY_TEST_DB=postgres and PARLEY_TEST_PG_URL)');

describe.skipIf(!onPostgres())('a sweep racing a charge', () => {
  test('a sweep that lands between the statements of a charge loses no failure', async () => {
    let offset = 0;
    const now = () => Date.now() + offset;
    const limits = { loginFailuresPerAccount: 3, loginFailuresPerIp: 100_000, lockoutBaseMs: MIN, lockoutMaxMs: 60 * MIN, loginFailureWindowMs: 15 * MIN, lockoutDecayMs: 24 * 60 * MIN };
    const server = await startServer({ limits }, undefined, { now });
    running.push(server);
    const owner = await registerUser(server);
    const { deps, audit } = server.parley.services;
    const admin: Actor = { userId: owner.user.id, role: 'owner', sessionId: 'test', via: 'session' };

    // A key with a served lockout long ago: idle, so the sweep may delete it.
    const seed = new LoginLockouts(deps, audit);
    for (let i = 0; i < 3; i++) await (await seed.begin({ account: 'mallory', ip: '198.51.100.7' })).settle('failure');
    offset += MIN + 24 * 60 * MIN + 1;

    // After the charge's first statement on login_lockouts (its insert of the missing rows), the
    // sweep runs on another connection. It either finishes (the row was not locked) or waits for
    // the charge's lock; the charge goes on after whichever comes first, or after 500 ms.
    let armed = true;
    let sweep: Promise<void> | null = null;
    const inserts = new Set<unknown>();
    const racer: KyselyPlugin = {
      transformQuery: (args: PluginTransformQueryArgs): RootOperationNode => {
        if (armed && InsertQueryNode.is(args.node) && args.node.into?.table.identifier.name === 'login_lockouts') inserts.add(args.queryId);
        return args.node;
      },
      transformResult: async (args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => {
        if (armed && inserts.has(args.queryId)) {
          armed = false;
          sweep = sweepIdleLockouts(deps.db, now(), limits);
          await Promise.race([sweep, new Promise((resolve) => setTimeout(resolve, 500))]);
        }
        return args.result;
      },
    };
    // Its own sweeps off: the one sweep here is the one placed mid-charge.
    const raced = new LoginLockouts({ ...deps, db: deps.db.withPlugin(racer) }, audit, Infinity);
    await (await raced.begin({ account: 'mallory', ip: '198.51.100.7' })).settle('failure');
    expect(armed).toBe(false);
    await sweep;

    const row = (await seed.list(admin)).find((l) => l.key === accountKey('mallory'));
    expect(row?.failures).toBe(1);
    // So two more failures lock the account, not three.
    for (let i = 0; i < 2; i++) await (await seed.begin({ account: 'mallory', ip: '198.51.100.7' })).settle('failure');
    await expect(seed.begin({ account: 'mallory', ip: '198.51.100.7' })).rejects.toMatchObject({ code: 'rate_limited' });
  });
});
