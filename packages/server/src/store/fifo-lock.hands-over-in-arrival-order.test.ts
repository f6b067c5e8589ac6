import { expect, test } from 'vitest';
import { FifoLock } from './db.js';

test('the lock admits one holder at a time, in the order they asked', async () => {
  const lock = new FifoLock();
  const order: number[] = [];
  let inside = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 3000 }, async (_, i) => {
      await lock.acquire();
      inside++;
      most = Math.max(most, inside);
      order.push(i);
      await Promise.resolve(); // hold it across a turn, as a query does
      inside--;
      lock.release();
    }),
  );
  expect(most).toBe(1);
  expect(order).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  // Free again: the next caller gets it at once.
  let got = false;
  void lock.acquire().then(() => (got = true));
  await Promise.resolve();
  expect(got).toBe(true);
});
