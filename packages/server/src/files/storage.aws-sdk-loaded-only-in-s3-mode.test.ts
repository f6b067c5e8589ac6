/**
 * The AWS SDK is imported only when a bucket is configured: on Node 20, importing it at all
 * prints a deprecation warning, which a default start must not show. Each start runs in its
 * own process (a test worker may have loaded the SDK for another file).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startS3, type TestS3 } from '../testing/s3.js';

const app = fileURLToPath(new URL('../app.ts', import.meta.url));
const config = fileURLToPath(new URL('../config/config.ts', import.meta.url));

/** Builds and closes a server with `env` in a fresh Node process; reports what it printed and whether the SDK was loaded. */
async function startOnce(env: Record<string, string>): Promise<{ stderr: string; sdkLoaded: boolean; status: number | null }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-sdk-'));
  const script = `
    import { build } from ${JSON.stringify(app)};
    import { loadConfig } from ${JSON.stringify(config)};
    const p = await build(loadConfig({ ...process.env, DATA_DIR: ${JSON.stringify(dir)}, LOG_LEVEL: 'silent' }));
    await p.close();
    // As main.ts does: a timer left by a dependency must not keep the process alive.
    process.exit(0);
  `;
  // A module hook notes when any module of the SDK is resolved.
  const hook = path.join(dir, 'hook.mjs');
  fs.writeFileSync(
    hook,
    `export async function resolve(specifier, context, next) {
      const r = await next(specifier, context);
      if (r.url.includes('/@aws-sdk/client-s3/')) process.stderr.write('[sdk-loaded]\\n');
      return r;
    }`,
  );
  const register = path.join(dir, 'register.mjs');
  fs.writeFileSync(register, `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hook).href)});`);
  // Not spawnSync: the S3 server this test started runs on this process's event loop.
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(register).href, '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  clearTimeout(timer);
  fs.rmSync(dir, { recursive: true, force: true });
  return { stderr, sdkLoaded: stderr.includes('[sdk-loaded]'), status };
}

let s3: TestS3 | null = null;
beforeAll(async () => {
  s3 = await startS3().catch(() => null);
});
afterAll(async () => {
  await s3?.close();
});

test('a default start never loads the AWS SDK (nor prints its warning); S3 mode does load it', { timeout: 120_000 }, async () => {
  const plain = await startOnce({});
  expect(plain.status, plain.stderr).toBe(0);
  expect(plain.sdkLoaded).toBe(false);
  expect(plain.stderr).not.toMatch(/AWS SDK/);
  if (!s3) return;
  const withBucket = await startOnce({
    PARLEY_S3_BUCKET: s3.bucket,
    PARLEY_S3_ENDPOINT: s3.endpoint,
    PARLEY_S3_ACCESS_KEY_ID: 'S3RVER',
    PARLEY_S3_SECRET_ACCESS_KEY: 'S3RVER',
  });
  expect(withBucket.status, withBucket.stderr).toBe(0);
  expect(withBucket.sdkLoaded).toBe(true);
});
