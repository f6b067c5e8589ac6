/**
 * `parley serve --workers N` on PostgreSQL and NATS: the sign-in budget per address holds for the
 * deployment, not per worker. Skipped (one line) without PARLEY_TEST_PG_URL and PARLEY_TEST_NATS_URL.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { afterAll, describe, expect, test } from 'vitest';
import { registerUser } from '@parley/server/testing';
import { spawnServer, type SpawnedServer } from '@parley/server/testing/spawn';

const PG = process.env.PARLEY_TEST_PG_URL;
const NATS = process.env.PARLEY_TEST_NATS_URL;
const stops: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s().catch(() => undefined);
});

const AUTH_PER_MIN = 10;

async function serve(workers: number): Promise<SpawnedServer> {
  const s = await spawnServer({
    args: ['--workers', String(workers)],
    env: {
      DATABASE_URL: PG!,
      // Its own schema: never shares buckets (or anything) with another run.
      PARLEY_PG_SCHEMA: `parley_t_bf_${crypto.randomBytes(6).toString('hex')}`,
      NATS_URL: NATS!,
      PARLEY_AUTH_RATE_PER_MIN: String(AUTH_PER_MIN),
      // Only the per-address budget is under test here.
      PARLEY_LOGIN_FAILURES_PER_ACCOUNT: '100000',
    },
  });
  stops.push(() => s.stop());
  return s;
}

/** One login over a fresh TCP connection (no keep-alive), so attempts spread over the workers. */
function loginOnce(url: string, username: string, password: string): Promise<number> {
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/api/v1/auth/login`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Registers the victim (one sign-in attempt of the budget), then guesses 40 times. */
async function bruteForce(workers: number): Promise<{ wrong: number; limited: number }> {
  const s = await serve(workers);
  const victim = await registerUser(s);
  const statuses: number[] = [];
  for (let i = 0; i < 40; i += 4) {
    statuses.push(...(await Promise.all([0, 1, 2, 3].map((k) => loginOnce(s.url, victim.user.username, `guess ${i + k}`)))));
  }
  await s.stop();
  return { wrong: statuses.filter((c) => c === 401).length, limited: statuses.filter((c) => c === 429).length };
}

describe.skipIf(!PG || !NATS || process.env.PARLEY_TEST_DB === 'postgres')('--workers on PostgreSQL and NATS (needs PARLEY_TEST_PG_URL and PARLEY_TEST_NATS_URL)', () => {
  test('a login brute force against 2 workers gets no more attempts than against 1', async () => {
    const one = await bruteForce(1);
    const two = await bruteForce(2);
    // The budget is 10 a minute with registration taking one: 9 guesses reach the password
    // check, give or take the token that refills while the test runs.
    expect(one.wrong).toBeGreaterThanOrEqual(AUTH_PER_MIN - 1);
    expect(one.wrong).toBeLessThanOrEqual(AUTH_PER_MIN);
    expect(two.wrong).toBeLessThanOrEqual(one.wrong + 1);
    expect(two.wrong + two.limited).toBe(40);
    expect(two.limited).toBeGreaterThanOrEqual(40 - AUTH_PER_MIN - 1);
  }, 300_000);
});
