import { expect, test } from 'vitest';
import { sql } from 'kysely';
import type { MessageCreatedEvent } from '@parley/protocol';
import { RequestError, createConversation, onPostgres, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

/** A trigger that refuses to store the body 'boom', in the dialect of the storage under test. */
async function refuseBoom(): Promise<() => Promise<void>> {
  const db = server.parley.storage.db;
  if (onPostgres()) {
    await sql`CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN IF NEW.body = 'boom' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(db);
    await sql`CREATE TRIGGER refuse_boom BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_boom()`.execute(db);
    return async () => {
      await sql`DROP TRIGGER refuse_boom ON messages`.execute(db);
      await sql`DROP FUNCTION refuse_boom()`.execute(db);
    };
  }
  await sql`CREATE TRIGGER refuse_boom BEFORE INSERT ON messages WHEN NEW.body = 'boom' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`.execute(db);
  return async () => void (await sql`DROP TRIGGER refuse_boom`.execute(db));
}

// Group commit writes many sends in one transaction (on SQLite and on PostgreSQL). A write that
// fails for a reason other than the storage (a trigger refusing one body) must fail only that send.
test('one send whose write fails gets an error; the sends committed with it are acked, stored once and gapless', async () => {
  const drop = await refuseBoom();
  try {
    const users = await Promise.all(Array.from({ length: 6 }, () => registerUser(server)));
    const group = await createConversation(server, users[0]!.token, { kind: 'group', member_ids: users.slice(1).map((u) => u.user.id) });
    const sockets = await Promise.all(users.map((u) => connect(u)));
    const results = await Promise.allSettled(sockets.map((s, i) => s.request('message.send', { conv_id: group.id, client_msg_id: `batch-${i}`, body: i === 3 ? 'boom' : `hello ${i}` })));
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect((failed[0] as PromiseRejectedResult).reason).toBeInstanceOf(RequestError);
    expect(((failed[0] as PromiseRejectedResult).reason as RequestError).error.code).toBe('internal');
    const acks = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(acks).toHaveLength(5);

    const seqs = acks.map((a) => a.seq).sort((a, b) => a - b);
    const watcher = sockets[0]!;
    const page = await watcher.request('sync.events', { conv_id: group.id, after_seq: 0, limit: 200 });
    const created = page.events.filter((e): e is MessageCreatedEvent => e.type === 'message.created');
    expect(created.map((e) => e.message.client_msg_id).sort()).toEqual(['batch-0', 'batch-1', 'batch-2', 'batch-4', 'batch-5']);
    expect(created.map((e) => e.seq)).toEqual(seqs);
    const all = page.events.map((e) => e.seq);
    expect(all).toEqual(Array.from({ length: all.length }, (_, k) => all[0]! + k));
  } finally {
    await drop();
  }
});
