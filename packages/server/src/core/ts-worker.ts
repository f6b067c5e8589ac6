import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as Esbuild from 'esbuild';
import { nodeBundleOptions, sourceKey } from './node-bundle.js';

const require = createRequire(import.meta.url);

/**
 * Source that names the thread it runs on after \`workerData.threadName\`, so \`top -H\`, \`ps -L\`
 * and the benchmark's CPU-by-thread figures tell the server's threads apart (Linux only; a
 * thread's name is its \`comm\`, at most 15 bytes; elsewhere nothing happens).
 */
export const NAME_THREAD = `
try { if (workerData.threadName) require('node:fs').writeFileSync('/proc/thread-self/comm', workerData.threadName); } catch {}
`;

// A worker runs TypeScript like the rest of the server: through tsx, registered in its thread.
const BOOT = `
const { workerData, parentPort } = require('node:worker_threads');
${NAME_THREAD}
import(workerData.tsx)
  .then((tsx) => { tsx.register(); return import(workerData.entry); })
  .catch((e) => parentPort.postMessage({ type: 'error', message: String((e && e.stack) || e) }));
`;

/** The bundle's boot: the thread named, then the bundle loaded; no tsx in the thread. */
const BOOT_BUNDLE = `
const { workerData, parentPort } = require('node:worker_threads');
${NAME_THREAD}
import(workerData.bundle).catch((e) => parentPort.postMessage({ type: 'error', message: String((e && e.stack) || e) }));
`;

/**
 * tsx's ESM API (`tsx/esm/api`, import condition). `require.resolve` can only name its CommonJS
 * twin, which registers hooks that resolve wrongly in a worker; the ESM file sits beside it.
 */
function tsxEsmApi(): string {
  const cjs = require.resolve('tsx/esm/api');
  return pathToFileURL(path.join(path.dirname(cjs), 'index.mjs')).href;
}

const serverSrc = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(serverSrc, '..', '..', '..');
const CACHE_DIR = path.join(repoRoot, 'node_modules', '.cache', 'parley-workers');
/** What a worker's bundle is made of: the server's and the protocol's sources, and the installed packages. */
const SOURCES = [serverSrc, path.join(repoRoot, 'packages', 'protocol', 'src')];
const LOCKFILE = path.join(repoRoot, 'package-lock.json');

let key: string | null = null;
/** The sources' key (node-bundle.js), taken once per process. */
const currentSourceKey = (): string => (key ??= sourceKey(SOURCES, LOCKFILE));

/** Per entry: its bundle's file URL, or null when it could not be made (the thread then runs through tsx). */
const bundles = new Map<string, string | null>();

/**
 * The entry and everything it imports as one ES module file, made by esbuild the first time a
 * process needs it and kept in node_modules/.cache/parley-workers, keyed by the sources.
 *
 * Why: loading a thread's ~250 modules through tsx's hooks took 1.3–4.7 s per thread on this
 * 2-core machine (measured), for each of the two threads of every server: at start-up, and in
 * every test that starts a server, where stopping the server also waited for a thread still
 * loading. From the bundle a thread is up in ~0.1 s. better-sqlite3 stays outside (a native
 * module), found from the cache directory in node_modules as from the sources.
 *
 * Anything unusual (no esbuild, a read-only cache) leaves the entry to tsx, as before;
 * `PARLEY_WORKERS_TSX=1` asks for that.
 */
function bundled(entry: string): string | null {
  if (process.env.PARLEY_WORKERS_TSX === '1') return null;
  const known = bundles.get(entry);
  if (known !== undefined) return known;
  let url: string | null = null;
  try {
    const file = path.join(CACHE_DIR, `${path.basename(entry, '.ts')}-${currentSourceKey()}.mjs`);
    if (!fs.existsSync(file)) {
      const esbuild = require('esbuild') as typeof Esbuild;
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      esbuild.buildSync({
        ...nodeBundleOptions,
        entryPoints: [entry],
        outfile: tmp,
        // A native module: loaded from node_modules, which the cache directory sits in.
        external: ['better-sqlite3'],
      });
      // Several processes starting at once each write their own file; the rename makes one of them the bundle.
      fs.renameSync(tmp, file);
      // Bundles of older sources go after a day: a server of the older version still running
      // beside this one (an update, a test tree) may start a thread from its bundle again.
      const stem = `${path.basename(entry, '.ts')}-`;
      const dayAgo = Date.now() - 24 * 3600_000;
      for (const old of fs.readdirSync(CACHE_DIR)) {
        const oldFile = path.join(CACHE_DIR, old);
        if (old.startsWith(stem) && old.endsWith('.mjs') && old !== path.basename(file) && (fs.statSync(oldFile, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < dayAgo) {
          fs.rmSync(oldFile, { force: true });
        }
      }
    }
    url = pathToFileURL(file).href;
  } catch {
    url = null;
  }
  bundles.set(entry, url);
  return url;
}

/**
 * Starts a worker thread named `threadName` running the TypeScript module `entry` with `data` as
 * its workerData (the module reads it from `workerData`): from its bundle (above), or through tsx
 * when there is none. A module that fails to load posts `{ type: 'error', message }` to the parent.
 */
export function startTsWorker(entry: URL, threadName: string, data: Record<string, unknown>): Worker {
  const file = fileURLToPath(entry);
  const bundle = bundled(file);
  if (bundle) return new Worker(BOOT_BUNDLE, { eval: true, workerData: { ...data, threadName, bundle } });
  return new Worker(BOOT, { eval: true, workerData: { ...data, threadName, tsx: tsxEsmApi(), entry: file } });
}

/**
 * Asks a worker to stop (`{ type: 'stop' }`: it finishes what it holds and closes its
 * connections), waits up to `graceMs` for it to exit, then terminates it whatever it is doing.
 */
export async function stopWorker(worker: Worker, graceMs = 5_000): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage({ type: 'stop' });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
  await worker.terminate();
}
