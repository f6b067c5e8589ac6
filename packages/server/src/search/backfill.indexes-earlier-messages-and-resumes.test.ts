import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, expect, test } from 'vitest';
import type { SearchPage } from '@parley/protocol';
import { SocketClient, api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

/*
 * A server upgraded to a version with search has messages no send indexed. Migration 011 notes
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

async function ready(server: TestServer): Promise<{ checks: Record<string, string> }> {
  return (await fetch(`${server.url}/readyz`)).json() as Promise<{ checks: Record<string, string> }>;
}

test('messages stored before search are indexed after the upgrade, resuming from the cursor a restart left', async () => {
  const first = await startServer();
  const alice = await registerUser(first);
  const ch = await createConversation(first, alice.token, { kind: 'channel', name: `bf-${randomUUID().slice(0, 8)}`, visibility: 'public' });
  const s = await SocketClient.connect(first, alice.token);
  const word = `w${randomUUID().slice(0, 8)}`;
  const ids: string[] = [];
  for (let i = 0; i < 240; i += 40) {
    const chunk = Array.from({ length: 40 }, (_, k) => s.request('message.send', { conv_id: ch.id, client_msg_id: randomUUID(), body: `${word} number ${i + k} 旧消息` }));
    ids.push(...(await Promise.all(chunk)).map((a) => a.id));
  }
  await s.close();
  expect(await hits(first, alice, word)).toBe(100);

  // As if these had been stored by a version without search, and a first backfill had stopped
  // after the first 100.
  const db = first.parley.storage.db;
  const sorted = [...ids].sort();
  await db.deleteFrom('search_docs').execute();
  if (!first.parley.storage.pg) await sql`DELETE FROM search_fts`.execute(db);
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
