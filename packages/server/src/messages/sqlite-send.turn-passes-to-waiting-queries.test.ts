import { expect, test } from 'vitest';
import { TokenBuckets } from '../core/rate-limit.js';
import { FifoLock } from '../store/db.js';
import { SqliteSendBatcher } from './sqlite-send.js';
import { batcherActor as actor, batcherDeps as deps, HeldWriter } from '../testing/held-writer.js';

const turnOfLoop = () => new Promise<void>((r) => setImmediate(r));
const send = (b: SqliteSendBatcher, i: number) => b.submit(actor, { conv_id: 'c', client_msg_id: `m${i}`, body: 'x' }).catch(() => undefined);

// The batcher holds the main connection's turn while batches are in flight (decision 0006). A
// query that queues for the turn must get it once nothing is in flight, even when more sends are
// waiting and the batcher already holds the turn with nothing out: that moment once stalled
// every query and every send for good (found by the dm benchmark).
test('a query waiting for the turn gets it between batches, then the waiting sends go out', async () => {
  const turn = new FifoLock();
  const writer = new HeldWriter('overRate');
  const batcher = new SqliteSendBatcher(writer, deps, turn, new TokenBuckets(1_000_000, 1_000_000), 512, 2);

  void send(batcher, 1);
  await turnOfLoop();
  void send(batcher, 2);
  await turnOfLoop();
  expect(writer.batches).toHaveLength(2); // both in flight
  void send(batcher, 3); // queued behind them

  // Both finish in the same turn; before the batcher's next look, a query queues for the turn.
  writer.batches[0]!.finish();
  writer.batches[1]!.finish();
  for (let i = 0; i < 20; i++) await Promise.resolve(); // their results settled, no loop turn yet
  let queried = false;
  const query = turn.acquire().then(() => {
    queried = true;
  });
  for (let i = 0; i < 10 && !queried; i++) await turnOfLoop();
  expect(queried).toBe(true);
  expect(writer.batches).toHaveLength(2); // the waiting send did not jump the query

  turn.release(); // the query is done
  await query;
  for (let i = 0; i < 10 && writer.batches.length < 3; i++) await turnOfLoop();
  expect(writer.batches).toHaveLength(3);
  expect(writer.batches[2]!.req.items.map((it) => it.input.client_msg_id)).toEqual(['m3']);
  writer.batches[2]!.finish();
  await batcher.stop();
});
