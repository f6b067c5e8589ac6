import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, expect, test } from 'vitest';
import { loadConfig } from './config/config.js';
import { startParley } from './start.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-start-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const config = () => loadConfig({ DATA_DIR: fs.mkdtempSync(path.join(root, 'data-')) }, { host: '127.0.0.1', port: 0, shutdownGraceMs: 200 });
const log = pino({ level: 'silent' });
const healthy = (port: number) =>
  fetch(`http://127.0.0.1:${port}/healthz`).then(
    (r) => r.ok,
    () => false,
  );

test('a signal stops the server once, and its handlers leave with it', async () => {
  const before = { int: process.listeners('SIGINT'), term: process.listeners('SIGTERM') };
  const running = await startParley(config(), { log });
  expect(await healthy(running.port)).toBe(true);
  // Call our handlers directly: emitting a real signal would also reach the test runner's own.
  const ours = process.listeners('SIGTERM').filter((l) => !before.term.includes(l));
  const oursInt = process.listeners('SIGINT').filter((l) => !before.int.includes(l));
  expect([ours.length, oursInt.length]).toEqual([1, 1]);
  ours[0]!('SIGTERM');
  oursInt[0]!('SIGINT'); // a second signal during shutdown joins it
  await running.stopped;
  expect(await healthy(running.port)).toBe(false);
  expect(process.listeners('SIGTERM')).toEqual(before.term);
  expect(process.listeners('SIGINT')).toEqual(before.int);
});

test('stop() is one shutdown however often it is called; signals: false installs no handler', async () => {
  const count = process.listenerCount('SIGTERM');
  const running = await startParley(config(), { log, signals: false });
  expect(process.listenerCount('SIGTERM')).toBe(count);
  expect(running.stop()).toBe(running.stop());
  await running.stopped;
  expect(await healthy(running.port)).toBe(false);
});

test('a port already taken fails the start and leaves no handler behind', async () => {
  const first = await startParley(config(), { log, signals: false });
  const count = process.listenerCount('SIGTERM');
  await expect(startParley({ ...config(), port: first.port }, { log })).rejects.toThrow(/EADDRINUSE/);
  expect(process.listenerCount('SIGTERM')).toBe(count);
  await first.stop();
});
