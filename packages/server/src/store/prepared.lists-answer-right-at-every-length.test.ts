import { expect, test } from 'vitest';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Db } from './db.js';
import { prepared } from './prepared.js';

/**
 * A prepared query with an `in` list is compiled once per list length and reused: every call must
 * still answer for its own values, whatever lengths came before, and a list too long to remember
 * is answered too.
 */
test('a prepared query with an in-list answers each call with its own values, at every length, compiling once per length', async () => {
  const sqlite = new SQLite(':memory:');
  sqlite.exec('CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL, deactivated_at INTEGER)');
  const insert = sqlite.prepare('INSERT INTO users (id, username, deactivated_at) VALUES (?, ?, ?)');
  for (let i = 0; i < 100; i++) insert.run(`u${i}`, `name${i}`, i % 10 === 0 ? 1 : null);
  const db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) }) as unknown as Db;
  let builds = 0;
  const active = prepared((d, p: { ids: string[]; after: string }) => {
    builds++;
    return d.selectFrom('users').select(['id', 'username']).where('id', 'in', p.ids).where('deactivated_at', 'is', null).where('username', '>', p.after).orderBy('id');
  });
  const names = async (ids: string[], after = '') => (await active(db, { ids, after })).map((r) => r.username);

  expect(await names(['u1', 'u2'])).toEqual(['name1', 'name2']);
  expect(await names(['u3', 'u10'])).toEqual(['name3']); // u10 is deactivated
  expect(await names(['u4', 'u5', 'u6'])).toEqual(['name4', 'name5', 'name6']);
  expect(await names(['u7', 'u8'], 'name7')).toEqual(['name8']);
  expect(await names(['u9'])).toEqual(['name9']);
  expect(builds).toBe(3); // lengths 2, 3 and 1

  const many = Array.from({ length: 80 }, (_, i) => `u${i + 11}`);
  expect(await names(many)).toEqual(many.filter((id) => Number(id.slice(1)) % 10 !== 0).map((id) => `name${id.slice(1)}`));
  expect(await names(['u1', 'u2'])).toEqual(['name1', 'name2']);
  await db.destroy();
});
