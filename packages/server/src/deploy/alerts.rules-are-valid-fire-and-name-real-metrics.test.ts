/**
 * deploy/prometheus/parley-alerts.yml as shipped: Prometheus's own promtool loads it and runs its
 * unit tests (each alert fires on the series that should raise it, and not before), and every
 * Parley metric a rule names is one a running Parley exports. A rule on a misspelt metric loads
 * fine and never fires; this is what catches it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startServer, type TestServer } from '../testing/harness.js';

const PROMTOOL = '/usr/bin/promtool';
const DEPLOY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../deploy/prometheus');
const RULES = path.join(DEPLOY, 'parley-alerts.yml');
const havePromtool = fs.existsSync(PROMTOOL);
if (!havePromtool) console.log(`skipped: no ${PROMTOOL} (apt-get install prometheus); the shipped alert rules are not loaded by Prometheus`);

const TOKEN = 'alerts-test-token-0123456789';
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ metricsToken: TOKEN });
});
afterAll(async () => {
  await server.stop();
});

test.skipIf(!havePromtool)('promtool loads the rules and their unit tests pass', () => {
  for (const args of [
    ['check', 'rules', RULES],
    ['test', 'rules', path.join(DEPLOY, 'parley-alerts.test.yml')],
  ]) {
    const run = spawnSync(PROMTOOL, args, { cwd: DEPLOY, encoding: 'utf8', timeout: 60_000 });
    expect({ args, status: run.status, out: run.status === 0 ? '' : run.stdout + run.stderr }).toEqual({ args, status: 0, out: '' });
  }
});

test('every Parley metric a rule names is exported by a running Parley', async () => {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  const exported = new Set([...(await res.text()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  const named = new Set([...fs.readFileSync(RULES, 'utf8').matchAll(/\bparley_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')));
  expect(named.size).toBeGreaterThanOrEqual(6);
  expect([...named].filter((n) => !exported.has(n))).toEqual([]);
});
