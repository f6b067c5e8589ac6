/**
 * A job kicked by every committed batch (web push) runs passes at least `minGapMs` apart, and a
 * kick is never lost: every kick is followed by a pass that starts after it.
 */
import { afterEach, expect, test, vi } from 'vitest';
import { PassLoop } from './pass-loop.js';

const loops: PassLoop[] = [];
afterEach(async () => {
  for (const l of loops.splice(0)) await l.stop();
});

function loopWithGap(minGapMs: number, passMs = 0): { loop: PassLoop; starts: number[] } {
  const starts: number[] = [];
  const loop = new PassLoop(
    async () => {
      starts.push(performance.now());
      if (passMs > 0) await new Promise((r) => setTimeout(r, passMs));
    },
    (err) => {
      throw err;
    },
    minGapMs,
  );
  loops.push(loop);
  // The safety net stays out of the way: an hour.
  loop.start(3_600_000);
  return { loop, starts };
}

test('a burst of kicks inside the gap runs one more pass, not one per kick', async () => {
  const { loop, starts } = loopWithGap(80);
  await vi.waitFor(() => expect(starts.length).toBe(1)); // start() kicks once
  let lastKick = 0;
  for (let i = 0; i < 50; i++) {
    loop.kick();
    lastKick = performance.now();
    await new Promise((r) => setTimeout(r, 1));
  }
  await vi.waitFor(() => expect(starts.at(-1)!).toBeGreaterThanOrEqual(lastKick), { timeout: 2_000 });
  // 50 kicks over ~50-100 ms: at most two passes more with an 80 ms gap (three on a slow machine).
  expect(starts.length).toBeLessThanOrEqual(4);
  for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(79);
});

test('a kick during a long pass still gets a pass after it', async () => {
  const { loop, starts } = loopWithGap(20, 60);
  await vi.waitFor(() => expect(starts.length).toBe(1));
  // The first pass is under way (60 ms); this kick comes after its start.
  await new Promise((r) => setTimeout(r, 30));
  loop.kick();
  const kickedAt = performance.now();
  await vi.waitFor(() => expect(starts.length).toBe(2), { timeout: 2_000 });
  expect(starts[1]!).toBeGreaterThan(kickedAt);
});

test('without a gap every kick outside a pass runs a pass at once', async () => {
  const { loop, starts } = loopWithGap(0);
  await vi.waitFor(() => expect(starts.length).toBe(1));
  for (let i = 2; i <= 5; i++) {
    loop.kick();
    await vi.waitFor(() => expect(starts.length).toBe(i));
  }
});

test('a kick waiting out the gap does not run after stop', async () => {
  const { loop, starts } = loopWithGap(50);
  await vi.waitFor(() => expect(starts.length).toBe(1));
  loop.kick();
  await loop.stop();
  await new Promise((r) => setTimeout(r, 100));
  expect(starts.length).toBe(1);
});
