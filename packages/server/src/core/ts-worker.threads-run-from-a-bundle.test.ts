/**
 * The server's threads (the send writer, the search indexer) are TypeScript modules. They start
 * from one esbuild bundle each, kept in node_modules/.cache/parley-workers, rather than through
 * tsx's hooks (seconds per thread); with PARLEY_WORKERS_TSX=1, or without a bundle, through tsx.
 * Either way the thread gets its data, can import the server's modules and carries its name.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, test } from 'vitest';
import { startTsWorker } from './ts-worker.js';

interface Echo {
  data: unknown;
  url: string;
  comm: string | null;
  code: string;
}

const ENTRY = new URL('../testing/echo-thread.ts', import.meta.url);
const started: Worker[] = [];
afterEach(async () => {
  delete process.env.PARLEY_WORKERS_TSX;
  for (const w of started.splice(0)) await w.terminate();
});

function run(name: string, echo: unknown): Promise<Echo> {
  const w = startTsWorker(ENTRY, name, { echo });
  started.push(w);
  return new Promise((resolve, reject) => {
    w.once('message', (m: Echo | { type: 'error'; message: string }) => ('type' in m ? reject(new Error(m.message)) : resolve(m)));
    w.once('error', reject);
  });
}

describe('worker threads', () => {
  test('start from a bundle in node_modules/.cache, with their data, their imports and their name', async () => {
    const got = await run('parley-echo', { n: 1, s: 'ü' });
    expect(got.data).toEqual({ n: 1, s: 'ü' });
    expect(got.code).toBe('not_found');
    const file = fileURLToPath(got.url);
    expect(file).toMatch(/node_modules\/\.cache\/parley-workers\/echo-thread-[0-9a-f]{16}\.mjs$/);
    expect(fs.existsSync(file)).toBe(true);
    if (process.platform === 'linux') expect(got.comm).toBe('parley-echo');
    // A second thread of the same entry loads the same bundle.
    expect((await run('parley-echo', 2)).url).toBe(got.url);
  });

  test('PARLEY_WORKERS_TSX=1 runs the TypeScript through tsx instead', async () => {
    process.env.PARLEY_WORKERS_TSX = '1';
    const got = await run('parley-echo-tsx', 'x');
    expect(got.data).toBe('x');
    expect(got.code).toBe('not_found');
    expect(fileURLToPath(got.url)).toBe(fileURLToPath(ENTRY));
    if (process.platform === 'linux') expect(got.comm).toBe('parley-echo-tsx');
  });
});
