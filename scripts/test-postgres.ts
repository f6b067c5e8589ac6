/**
 * The server and SDK suites again, on PostgreSQL, when PARLEY_TEST_PG_URL is set (CI sets it to
 * the machine's server). Each run starts by dropping the schemas earlier runs left behind.
 */
import { spawnSync } from 'node:child_process';
import pg from 'pg';

const url = process.env.PARLEY_TEST_PG_URL;
if (!url) {
  console.log('PostgreSQL tests skipped: PARLEY_TEST_PG_URL is not set.');
  process.exit(0);
}

const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
try {
  await client.connect();
} catch (e) {
  console.log(`PostgreSQL tests skipped: cannot reach ${url.replace(/\/\/[^@]*@/, '//…@')} (${(e as Error).message}).`);
  process.exit(0);
}
const { rows } = await client.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'parley\\_t\\_%'");
for (const r of rows) await client.query(`DROP SCHEMA IF EXISTS ${r.nspname} CASCADE`);
await client.end();
console.log(`PostgreSQL: dropped ${rows.length} old test schemas; running the server and SDK suites on PostgreSQL.`);

const res = spawnSync('npx', ['vitest', 'run', 'packages/server/src', 'packages/sdk'], {
  stdio: 'inherit',
  env: { ...process.env, PARLEY_TEST_DB: 'postgres' },
});
process.exit(res.status ?? 1);
