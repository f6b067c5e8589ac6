import { expect, test } from 'vitest';
import { TokenBuckets } from '../core/rate-limit.js';
import { FifoLock } from '../store/db.js';
import type { BatchRequest } from './sqlite-send-batch.js';
import { SqliteSendBatcher } from './sqlite-send.js';
import { batcherActor as actor, batcherDeps as deps, HeldWriter } from '../testing/held-writer.js';

const turnsOfLoop = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};
const cmids = (b: { req: BatchRequest }) => b.req.items.map((it) => it.input.client_msg_id);

// While a batch is being written, a few sends wait for it instead of going out as a tiny batch
// of their own (every commit costs an fsync and the same set of rewritten pages); enough of them
// go out at once, so a backlog still keeps the writer busy. None waits for more than the commit
// in front of it, and every one is acked.
test('sends wait for the batch being written until enough queue to fill one of their own', async () => {
  const writer = new HeldWriter();
  const batcher = new SqliteSendBatcher(writer, deps, new FifoLock(), new TokenBuckets(1_000_000, 1_000_000), 512, 2, null, 3);
  const acks: Promise<unknown>[] = [];
  const send = (i: number) => acks.push(batcher.submit(actor, { conv_id: 'c', client_msg_id: `m${i}`, body: 'x' }));

  send(1);
  await turnsOfLoop();
  expect(writer.batches.map(cmids)).toEqual([['m1']]); // nothing in flight: out at once

  send(2);
  send(3);
  await turnsOfLoop();
  expect(writer.batches).toHaveLength(1); // two waiting, fewer than three: they wait for m1's commit

  send(4);
  await turnsOfLoop();
  expect(writer.batches.map(cmids)).toEqual([['m1'], ['m2', 'm3', 'm4']]); // three waiting: handed ahead

  send(5);
  await turnsOfLoop();
  expect(writer.batches).toHaveLength(2);
  writer.batches[0]!.finish();
  await turnsOfLoop();
  expect(writer.batches).toHaveLength(2); // one in flight again, and one send waiting: it waits on

  writer.batches[1]!.finish();
  await turnsOfLoop();
  expect(writer.batches.map(cmids)[2]).toEqual(['m5']); // nothing in flight: the lone send goes out
  writer.batches[2]!.finish();
  const outcomes = await Promise.all(acks);
  expect(outcomes).toHaveLength(5);
  expect(outcomes.every((o) => (o as { kind: string }).kind === 'sent')).toBe(true);
  await batcher.stop();
});

test('with a minimum of one, any waiting send is handed ahead as before', async () => {
  const writer = new HeldWriter();
  const batcher = new SqliteSendBatcher(writer, deps, new FifoLock(), new TokenBuckets(1_000_000, 1_000_000), 512, 2, null, 1);
  const first = batcher.submit(actor, { conv_id: 'c', client_msg_id: 'm1', body: 'x' });
  await turnsOfLoop();
  const second = batcher.submit(actor, { conv_id: 'c', client_msg_id: 'm2', body: 'x' });
  const acks = [first, second];
  await turnsOfLoop(10);
  expect(writer.batches.map(cmids)).toEqual([['m1'], ['m2']]);
  for (const b of writer.batches) b.finish();
  await Promise.all(acks);
  await batcher.stop();
});
