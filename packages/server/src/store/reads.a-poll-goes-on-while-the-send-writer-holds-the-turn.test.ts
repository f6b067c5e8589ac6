import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openSqlite, type OpenedDb } from './db.js';

let opened: OpenedDb;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-reads-'));
  opened = await openSqlite(dir, 'normal');
});
afterAll(async () => {
  await opened.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const turnOfLoop = () => new Promise<void>((r) => setImmediate(r));

/** Starts `work` and reports whether it finished within a few loop turns. */
async function settlesSoon(work: () => Promise<unknown>): Promise<{ done: () => boolean; finished: Promise<unknown> }> {
  let done = false;
  const finished = work().then((v) => {
    done = true;
    return v;
  });
  for (let i = 0; i < 10 && !done; i++) await turnOfLoop();
  return { done: () => done, finished };
}

const probe = (value: string) => ({ key: 'probe', value, updated_at: 1, updated_by: null });

// The send batcher holds the main connection's turn while the writer thread commits (decision
// 0006), and stops handing over batches when a query waits for it. The pollers (push, webhooks,
// burn sweep, reminders, status expiry) read several times a second; on the main connection each
// read drained the send pipeline. Their reads go through `reads`, the read-only connection.
test('a poll through `reads` answers while the turn is held, with what is committed; the main connection waits for the turn', async () => {
  const { db, reads, sqliteTurn } = opened;
  await db.insertInto('workspace_settings').values(probe('"committed"')).execute();

  await sqliteTurn!.acquire(); // as the send batcher does while batches are in flight
  const poll = await settlesSoon(() => reads.selectFrom('workspace_settings').select('value').where('key', '=', 'probe').executeTakeFirst());
  const main = await settlesSoon(() => db.selectFrom('workspace_settings').select('value').where('key', '=', 'probe').executeTakeFirst());
  expect(poll.done()).toBe(true);
  expect(await poll.finished).toEqual({ value: '"committed"' });
  expect(main.done()).toBe(false);

  sqliteTurn!.release();
  expect(await main.finished).toEqual({ value: '"committed"' });

  // The read-only connection sees the main connection's next commit, and cannot write.
  await db.updateTable('workspace_settings').set({ value: '"changed"' }).where('key', '=', 'probe').execute();
  expect(await reads.selectFrom('workspace_settings').select('value').where('key', '=', 'probe').executeTakeFirst()).toEqual({ value: '"changed"' });
  await expect(reads.updateTable('workspace_settings').set({ value: '"nope"' }).where('key', '=', 'probe').execute()).rejects.toThrow(/readonly/i);
});
