/**
 * Deployments and test runs share a PostgreSQL database, each in its own schema. Starting one
 * must not fail because another drops its schema at that moment (CI saw `schema "…" does not
 * exist` from Kysely's database-wide introspection). Real PostgreSQL; skipped, in one line,
 * without PARLEY_TEST_PG_URL.
 */
import crypto from 'node:crypto';
import { describe, expect, test } from 'vitest';
import pg from 'pg';
import pino from 'pino';
import { openPostgres } from './postgres.js';

const PG = process.env.PARLEY_TEST_PG_URL;
const tag = crypto.randomBytes(4).toString('hex');

describe.skipIf(!PG)('migrations on a shared PostgreSQL (needs PARLEY_TEST_PG_URL)', () => {
  test('a deployment migrates while other schemas are created and dropped beside it', async () => {
    const churn = new pg.Client({ connectionString: PG });
    await churn.connect();
    let stop = false;
    // Another tenant coming and going: a schema with tables, dropped again, over and over.
    const churning = (async () => {
      for (let i = 0; !stop; i++) {
        const other = `parley_churn_${tag}_${i}`;
        await churn.query(`CREATE SCHEMA ${other}`);
        for (let t = 0; t < 20; t++) await churn.query(`CREATE TABLE ${other}.t${t} (id bigserial primary key, a text, b text, c bigint)`);
        await churn.query(`DROP SCHEMA ${other} CASCADE`);
      }
    })();
    const log = pino({ level: 'silent' });
    const mine: string[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const schema = `parley_mig_${tag}_${i}`;
        mine.push(schema);
        const opened = await openPostgres(PG!, schema, 2, log);
        try {
          // Migrated: the tables are there, and opening it again finds nothing left to do.
          const row = await opened.db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
          expect(Number(row.n)).toBe(0);
        } finally {
          await opened.close();
        }
        const again = await openPostgres(PG!, schema, 2, log);
        await again.close();
      }
    } finally {
      stop = true;
      await churning;
      for (const s of mine) await churn.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      await churn.end();
    }
  }, 120_000);
});
