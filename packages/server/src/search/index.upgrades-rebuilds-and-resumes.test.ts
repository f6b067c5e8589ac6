import { randomUUID } from 'node:crypto';
import { afterEach, expect, test } from 'vitest';
import type { SearchPage } from '@parley/protocol';
import { until } from '@parley/protocol/testing';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { SocketClient, api, createConversation, onPostgres, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { searchIndexFile } from './sqlite-index-file.js';

/*
 * A server upgraded to a version with search has messages no send indexed. Migration 010 notes
 * the newest of them; the backfill indexes them in batches, committing its cursor with each, so
 * a restart resumes instead of starting over. The test makes that state by hand: index emptied,
 * `backfill_until` set, and (for the resume) the cursor left half-way.
 */

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function hits(server: TestServer, u: TestUser, q: string): Promise<number> {
  const res = await api<SearchPage>(server, 'GET', `/search?q=${encodeURIComponent(q)}&limit=100`, undefined, u.token);
  expect(res.status).toBe(200);
  return res.body.hits.length;
}

/** A server whose one channel holds 240 messages `<word> number <i> 旧消息`, all found by search. */
async function serverWith240Messages(): Promise<{ first: TestServer; alice: TestUser; word: string; ids: string[] }> {
  const first = await startServer();
  const alice = await registerUser(first);
  const ch = await createConversation(first, alice.token, { kind: 'channel', name: `ix-${randomUUID().slice(0, 8)}`, visibility: 'public' });
  const s = await SocketClient.connect(first, alice.token);
  const word = `w${randomUUID().slice(0, 8)}`;
  const ids: string[] = [];
  for (let i = 0; i < 240; i += 40) {
    const chunk = Array.from({ length: 40 }, (_, k) => s.request('message.send', { conv_id: ch.id, client_msg_id: randomUUID(), body: `${word} number ${i + k} 旧消息` }));
    ids.push(...(await Promise.all(chunk)).map((a) => a.id));
  }
  await s.close();
  expect(await hits(first, alice, word)).toBe(100);
  return { first, alice, word, ids };
}

async function ready(server: TestServer): Promise<{ checks: Record<string, string> }> {
  return (await fetch(`${server.url}/readyz`)).json() as Promise<{ checks: Record<string, string> }>;
}

test.skipIf(!onPostgres())('PostgreSQL: messages stored before search are indexed after the upgrade, resuming from the cursor a restart left', async () => {
  const { first, alice, word, ids } = await serverWith240Messages();

  // As if these had been stored by a version without search, and a first backfill had stopped
  // after the first 100.
  const db = first.parley.storage.db;
  const sorted = [...ids].sort();
  await db.deleteFrom('search_docs').execute();
  await db.deleteFrom('search_state').execute();
  await db
    .insertInto('search_state')
    .values([
      { key: 'backfill_until', value: sorted[sorted.length - 1]! },
      { key: 'backfill_cursor', value: sorted[99]! },
    ])
    .execute();
  await first.stop();
  servers.length = 0;

  const second = await startServer({}, first.dataDir);
  servers.push(second);
  for (let i = 0; i < 200 && (await ready(second)).checks.search !== 'ok'; i++) await new Promise((r) => setTimeout(r, 50));
  expect((await ready(second)).checks.search).toBe('ok');
  const indexed = await second.parley.storage.db.selectFrom('search_docs').select('message_id').execute();
  // Resumed, not restarted: exactly the 140 after the cursor.
  expect(indexed.map((r) => r.message_id).sort()).toEqual(sorted.slice(100));
  expect(await hits(second, alice, '旧消息')).toBe(100);
  const page = await api<SearchPage>(second, 'GET', `/search?q=${encodeURIComponent(`"${word} number 239"`)}`, undefined, alice.token);
  expect(page.body.hits.map((h) => h.message.id)).toEqual([ids[239]]);
});

test.skipIf(onPostgres())('SQLite: the index file is derived data — deleted, it is rebuilt from the stored messages; what a stop left queued is indexed after the restart', async () => {
  const { first, alice, word, ids } = await serverWith240Messages();
  await first.stop();

  // Deleted: the next start recreates it and indexes every stored message again.
  const file = searchIndexFile(first.dataDir);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const second = await startServer({}, first.dataDir);
  await until('the rebuilt index to be ready', async () => (await ready(second)).checks.search === 'ok');
  expect((await ready(second)).checks.search).toBe('ok');
  const docs = () => second.parley.storage.sqlite!.prepare('SELECT message_id FROM search.search_fts').all() as { message_id: string }[];
  expect(
    docs()
      .map((r) => r.message_id)
      .sort(),
  ).toEqual([...ids].sort());
  expect(await hits(second, alice, '旧消息')).toBe(100);
  await second.stop();

  // Stopped with 140 messages queued and not yet indexed (their docs gone): the restart indexes them.
  const later = [...ids].sort().slice(100);
  const index = new Database(file);
  for (const id of later) index.prepare('DELETE FROM search_fts WHERE rowid = (SELECT rowid FROM search_fts WHERE message_id = ?)').run(id);
  index.close();
  const main = new Database(`${first.dataDir}/parley.db`);
  for (const id of later) main.prepare('INSERT INTO search_queue (message_id) VALUES (?)').run(id);
  main.close();
  const third = await startServer({}, first.dataDir);
  servers.push(third);
  // A search waits at most 2 s for the index to catch up; the index thread's own start can take
  // longer on a loaded machine, so wait until /readyz says nothing is queued.
  await until('the resumed index to be ready', async () => (await ready(third)).checks.search === 'ok');
  expect((await ready(third)).checks.search).toBe('ok');
  const page = await api<SearchPage>(third, 'GET', `/search?q=${encodeURIComponent(`"${word} number 239"`)}`, undefined, alice.token);
  expect(page.body.hits.map((h) => h.message.id)).toEqual([ids[239]]);
  expect(third.parley.storage.sqlite!.prepare('SELECT count(*) AS n FROM search.search_fts').get()).toEqual({ n: 240 });
});
