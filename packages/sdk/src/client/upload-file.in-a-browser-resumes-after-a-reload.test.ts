/**
 * The SDK's browser build in headless Chromium: an upload cut half-way by a dropped connection,
 * then a page reload, continues from the server's offset (tus-js-client keeps the upload's URL
 * in localStorage under the file's fingerprint). The page is the SDK bundled for the browser by
 * esbuild, served by a real Parley. Skipped (one line) without /usr/bin/chromium.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { registerUser, startServer, type TestServer } from '@parley/server/testing';
import { tcpProxy, type TcpProxy } from '@parley/server/testing/tcp-proxy';

const CHROMIUM = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';
const noBrowser = fs.existsSync(CHROMIUM) ? null : `${CHROMIUM} not found`;
if (noBrowser) console.log(`skipping the browser upload test: ${noBrowser}`);

let server: TestServer;
let proxy: TcpProxy;
let browser: Browser;
beforeAll(async () => {
  if (noBrowser) return;
  const web = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-sdk-browser-'));
  fs.mkdirSync(path.join(web, 'assets'));
  // The browser entry of the SDK, resolved as a bundler resolves it for a page (tus-js-client's browser build).
  await build({
    stdin: { contents: "import { Parley } from './index.ts'; window.Parley = Parley;", resolveDir: path.dirname(fileURLToPath(new URL('../index.ts', import.meta.url))), loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outfile: path.join(web, 'assets', 'sdk.js'),
    logLevel: 'warning',
  });
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="/assets/sdk.js"></script>');
  server = await startServer({ webDir: web });
  const u = new URL(server.url);
  proxy = await tcpProxy(u.hostname, Number(u.port));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await server?.stop();
});

interface Outcome {
  ok: boolean;
  code?: string;
  id?: string;
  first?: number;
  same?: boolean;
  stored: number;
}

/**
 * Uploads the same 8 MiB File (same name, type, size and date: the same fingerprint) from the
 * page, then downloads it and compares hashes. A string, so the test runner's transforms never
 * reach the page.
 */
const uploadInPage = (token: string, retry: boolean) => `(async () => {
  const bytes = new Uint8Array(8 * 1024 * 1024);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; bytes[i] = x >>> 24; }
  const file = new File([bytes], 'same.bin', { lastModified: 1700000000000, type: 'application/octet-stream' });
  const client = new window.Parley({ url: location.origin, token: ${JSON.stringify(token)} });
  const progress = [];
  try {
    const up = await client.uploadFile(file, { onProgress: (sent) => progress.push(sent), ${retry ? '' : 'retryDelays: []'} });
    const got = new Uint8Array(await new Response((await client.downloadFile(up.id)).body).arrayBuffer());
    const hex = async (b) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', b))].map((v) => v.toString(16).padStart(2, '0')).join('');
    return { ok: true, id: up.id, first: progress[0], same: (await hex(got)) === (await hex(bytes)), stored: localStorage.length };
  } catch (e) {
    return { ok: false, code: e.code, stored: localStorage.length };
  }
})()`;

test.skipIf(noBrowser !== null)(
  'in Chromium, an upload cut half-way continues after a page reload, from the offset the server holds',
  async () => {
    const alice = await registerUser(server);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(proxy.url('http', '/'));
    await page.waitForFunction('typeof window.Parley === "function"');

    // Half the file reaches the server, then the network drops; this attempt does not retry.
    const cut = proxy.cutAfter(4 * 1024 * 1024);
    const first = (await page.evaluate(uploadInPage(alice.token, false))) as Outcome;
    await cut;
    expect(first).toEqual({ ok: false, code: 'network', stored: 1 });
    proxy.restore();
    const [partial] = await server.parley.storage.db.selectFrom('uploads').select(['id', 'state']).where('uploader_id', '=', alice.user.id).execute();
    expect(partial?.state).toBe('uploading');

    await page.reload();
    await page.waitForFunction('typeof window.Parley === "function"');
    const second = (await page.evaluate(uploadInPage(alice.token, true))) as Outcome;
    // The same upload, continued from where the server stopped, and forgotten once finished.
    expect(second).toMatchObject({ ok: true, id: partial!.id, same: true, stored: 0 });
    expect(second.first).toBeGreaterThan(0);
    expect(second.first).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(errors).toEqual([]);
    await page.close();
  },
  60_000,
);
