#!/usr/bin/env node
// Runs the TypeScript sources with no build step. Loading them through tsx's module hooks takes
// 0.86 s and 1 s of CPU per run (measured: each of some 300 modules, TypeBox's included, goes
// through the hook), which a script calling `parley send` in a loop pays every time. So every
// command but `serve` runs from one bundle of the CLI and what it imports that esbuild makes on
// first use and keeps in node_modules/.cache: 0.21 s and 0.14 s of CPU per run. It is rebuilt
// whenever a source file or the lockfile changes (keyed by their sizes and modification times).
// `serve` and `restore` load the server through tsx: its worker threads are files of their own.
// Anything unusual (no esbuild, a read-only cache) falls back to tsx; PARLEY_CLI_DEBUG=1 says why.
import fs from 'node:fs';
import process from 'node:process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
// Plain JavaScript in the server package, shared with its worker threads' bundles (core/ts-worker.ts).
import { nodeBundleOptions, sourceKey } from '@parley/server/node-bundle';

const here = path.dirname(fileURLToPath(import.meta.url));
const cliRoot = path.resolve(here, '..');
const packagesDir = path.resolve(cliRoot, '..');
const SOURCES = ['cli', 'sdk', 'protocol'].map((p) => path.join(packagesDir, p, 'src'));
const LOCKFILE = path.resolve(packagesDir, '..', 'package-lock.json');

async function viaTsx() {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}

/** The bundle's path, made first if the sources changed since. */
async function bundleFile() {
  const cacheDir = path.resolve(packagesDir, '..', 'node_modules', '.cache', 'parley-cli');
  const file = path.join(cacheDir, `cli-${sourceKey(SOURCES, LOCKFILE)}.mjs`);
  if (!fs.existsSync(file)) {
    const esbuild = await import('esbuild');
    const tmp = `${file}.${process.pid}.tmp`;
    fs.mkdirSync(cacheDir, { recursive: true });
    await esbuild.build({
      ...nodeBundleOptions,
      entryPoints: [path.join(cliRoot, 'src', 'main.ts')],
      outfile: tmp,
      plugins: [
        {
          name: 'serve-stays-out',
          setup(build) {
            // The server stays out of the bundle: `serve` and `restore` never run from it (below).
            build.onResolve({ filter: /commands\/serve\.js$/ }, () => ({ path: './serve-runs-through-tsx.js', external: true }));
            build.onResolve({ filter: /^@parley\/server$/ }, () => ({ path: '@parley/server', external: true }));
          },
        },
      ],
    });
    // Several first runs at once each write their own file; the rename makes one of them the bundle.
    fs.renameSync(tmp, file);
    // Bundles of older sources are not needed again (a run still using one has it loaded already).
    for (const old of fs.readdirSync(cacheDir)) {
      if (old !== path.basename(file) && /^cli-[0-9a-f]+\.mjs$/.test(old)) fs.rmSync(path.join(cacheDir, old), { force: true });
    }
  }
  return file;
}

let bundle = null;
// `serve` and `restore` load the server (native modules, worker threads): through tsx.
const SERVER_COMMANDS = new Set(['serve', 'restore']);
if (!SERVER_COMMANDS.has(process.argv[2]) && process.env.PARLEY_CLI_TSX !== '1') {
  try {
    bundle = await bundleFile();
  } catch (e) {
    if (process.env.PARLEY_CLI_DEBUG) process.stderr.write(`parley: no bundle, running through tsx: ${e instanceof Error ? e.stack : String(e)}\n`);
  }
}
// Outside the try: the command itself runs once, whichever way it was loaded.
if (bundle) await import(pathToFileURL(bundle).href);
else await viaTsx();
