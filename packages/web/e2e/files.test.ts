import { createHash, randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { Message } from '@parley/protocol';
import { api, createConversation, registerUser, type TestUser } from '@parley/server/testing';
import { tcpProxy } from '@parley/server/testing/tcp-proxy';
import { announceSkip, browserHarness, browserUnavailable, historyViaApi, loginInUi, openConversation, runAxe, uniqueName, type AxeViolation, type Harness } from './support.js';

// Handing a file of megabytes to the page goes over the DevTools protocol as base64: on a CI
// machine busy with the rest of the suite that once passed the 15 s default of an action.
const BIG_FILE_MS = 60_000;

announceSkip();

/** A PNG of the given size (a gradient, so it is not trivially compressible to nothing). */
async function png(width: number, height: number, hue = 0): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = (x * 255) / width + hue;
      raw[i + 1] = (y * 255) / height;
      raw[i + 2] = 128 + hue;
    }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** A whole file through tus (create, one PATCH), as another client would; returns the upload id. */
async function uploadViaApi(server: { url: string }, user: TestUser, bytes: Buffer, name: string): Promise<string> {
  const created = await fetch(`${server.url}/api/v1/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `filename ${Buffer.from(name).toString('base64')}` },
  });
  if (created.status !== 201) throw new Error(`upload create failed: ${created.status}`);
  const location = created.headers.get('location')!;
  const patched = await fetch(location, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${user.token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    body: new Uint8Array(bytes),
  });
  if (patched.status !== 204) throw new Error(`upload patch failed: ${patched.status}`);
  return location.split('/').pop()!;
}

async function pair(h: Harness) {
  const alice = await registerUser(h.server, uniqueName('alice'));
  const bob = await registerUser(h.server, uniqueName('bob'));
  const dm = await createConversation(h.server, alice.token, { kind: 'dm', user_id: bob.user.id });
  return { alice, bob, dm };
}

async function signedIn(suite: ReturnType<typeof browserHarness>, user: TestUser, convId: string): Promise<Page> {
  const { page } = await suite.h.newPage();
  suite.track(page);
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  consoleErrors.set(page, errors);
  await page.goto('/');
  await loginInUi(page, user.user.username);
  await openConversation(page, convId);
  return page;
}
const consoleErrors = new WeakMap<Page, string[]>();

const severe = (violations: AxeViolation[]) =>
  violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`);

/** The composer's chip for a file, by name. */
const chip = (page: Page, name: string) => page.locator(`[data-testid="composer-file"][data-name="${name}"]`);

describe.skipIf(browserUnavailable !== null)('files in the browser', { timeout: 60_000 }, () => {
  const suite = browserHarness();

  test('Alice drops an image on the conversation and Bob sees its thumbnail live; the lightbox opens, downloads and closes', async () => {
    const { alice, bob, dm } = await pair(suite.h);
    const a = await signedIn(suite, alice, dm.id);
    const b = await signedIn(suite, bob, dm.id);
    const image = await png(640, 400);

    // A real drag of a real file: a DataTransfer built in the page, dispatched as the browser would.
    const dataTransfer = await a.evaluateHandle(
      (bytes) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], 'sunset.png', { type: 'image/png' }));
        return dt;
      },
      [...image],
    );
    const area = a.getByTestId('conversation');
    await area.dispatchEvent('dragenter', { dataTransfer });
    await a.getByTestId('drop-overlay').waitFor();
    await area.dispatchEvent('dragover', { dataTransfer });
    await area.dispatchEvent('drop', { dataTransfer });
    await a.getByTestId('drop-overlay').waitFor({ state: 'detached' });
    await expect.poll(() => chip(a, 'sunset.png').getAttribute('data-status'), { timeout: 15_000 }).toBe('done');

    // A file alone is a message: Enter sends it with no text.
    await a.getByTestId('composer-input').press('Enter');
    await a.getByTestId('composer-files').waitFor({ state: 'detached' });

    const thumb = b.getByTestId('attachment-image');
    await thumb.waitFor({ timeout: 15_000 });
    // The box was reserved from the server's dimensions: 640×400 fits 320 wide as 320×200.
    const box = (await thumb.boundingBox())!;
    expect(Math.round(box.width)).toBe(320);
    expect(Math.round(box.height)).toBe(200);
    await expect.poll(() => thumb.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    await expect(thumb.getAttribute('aria-label')).resolves.toBe('Open image sunset.png');
    await expect(b.getByTestId('message-body').count(), 'a file-only message shows the file, not its name as text').resolves.toBe(0);

    await thumb.click();
    const lightbox = b.getByTestId('lightbox');
    await lightbox.waitFor();
    await expect.poll(() => b.getByTestId('lightbox-image').getAttribute('data-full')).toBe('true');
    await expect(b.getByTestId('lightbox-image').evaluate((img: HTMLImageElement) => img.naturalWidth)).resolves.toBe(640);
    const [download] = await Promise.all([b.waitForEvent('download'), b.getByTestId('lightbox-download').click()]);
    expect(download.suggestedFilename()).toBe('sunset.png');
    await b.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'detached' });
    await expect(
      thumb.evaluate((el) => el === document.activeElement),
      'focus returns to the thumbnail',
    ).resolves.toBe(true);
    // A click beside the image closes it too.
    await thumb.press('Enter');
    await lightbox.waitFor();
    await b.mouse.click(20, 400);
    await lightbox.waitFor({ state: 'detached' });
    expect(consoleErrors.get(a)).toEqual([]);
    expect(consoleErrors.get(b)).toEqual([]);
  });

  test('the file button attaches two images with text; arrow keys move across them in the lightbox', async () => {
    const { alice, bob, dm } = await pair(suite.h);
    const a = await signedIn(suite, alice, dm.id);
    await a.getByTestId('composer-file-input').setInputFiles([
      { name: 'one.png', mimeType: 'image/png', buffer: await png(300, 300, 0) },
      { name: 'two.png', mimeType: 'image/png', buffer: await png(200, 400, 60) },
    ]);
    await expect.poll(() => chip(a, 'two.png').getAttribute('data-status'), { timeout: 15_000 }).toBe('done');
    await expect.poll(() => chip(a, 'one.png').getAttribute('data-status')).toBe('done');
    await a.getByTestId('composer-input').fill('two views');
    await a.getByTestId('composer-send').click();
    const thumbs = a.getByTestId('attachment-image');
    await expect.poll(() => thumbs.count(), { timeout: 15_000 }).toBe(2);
    const stored = (await historyViaApi(suite.h.server, bob.token, dm.id)).at(-1)!;
    expect(stored.body).toBe('two views');
    expect(stored.attachments.map((x) => [x.name, x.width, x.height])).toEqual([
      ['one.png', 300, 300],
      ['two.png', 200, 400],
    ]);

    await thumbs.first().click();
    const lb = a.getByTestId('lightbox');
    await lb.waitFor();
    await expect(lb.getAttribute('aria-label')).resolves.toContain('one.png');
    await a.keyboard.press('ArrowRight');
    await expect.poll(() => lb.getAttribute('aria-label')).toContain('two.png');
    await expect.poll(() => a.getByTestId('lightbox-image').evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(400);
    await a.keyboard.press('ArrowRight');
    await expect.poll(() => lb.getAttribute('aria-label')).toContain('one.png');
    await a.getByTestId('lightbox-close').click();
    await lb.waitFor({ state: 'detached' });
  });

  test('a pasted screenshot becomes a named file chip, and cancelling an upload stops it on the server', async () => {
    const { alice, dm } = await pair(suite.h);
    const { context, page: a } = await suite.h.newPage();
    suite.track(a);
    await a.goto('/');
    await loginInUi(a, alice.user.username);
    await openConversation(a, dm.id);
    const shot = await png(120, 80);
    // A clipboard carrying an image and no text, as a screenshot tool leaves it.
    await a.getByTestId('composer-input').evaluate(
      (el, bytes) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
        el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      },
      [...shot],
    );
    const pasted = a.getByTestId('composer-file').first();
    await expect.poll(() => pasted.getAttribute('data-status'), { timeout: 15_000 }).toBe('done');
    expect(await pasted.getAttribute('data-name')).toMatch(/^Pasted image \d{4}-\d\d-\d\d \d\d\.\d\d\.\d\d\.png$/);
    await pasted.getByTestId('composer-file-remove').click();

    const cdp = await context.newCDPSession(a);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
    const terminated = a.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().includes('/api/v1/uploads/'));
    await a.getByTestId('composer-file-input').setInputFiles([{ name: 'slow.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(4 * 1024 * 1024, 7) }], { timeout: BIG_FILE_MS });
    await expect
      .poll(
        () =>
          chip(a, 'slow.bin')
            .locator('progress')
            .evaluate((p: HTMLProgressElement) => p.value),
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
    await chip(a, 'slow.bin').getByRole('button', { name: 'Cancel upload of slow.bin' }).click();
    await chip(a, 'slow.bin').waitFor({ state: 'detached' });
    expect((await terminated).status(), 'the upload is terminated on the server (its quota given back)').toBe(204);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await a.reload();
    await a.getByTestId('message-list').waitFor();
    await expect(a.getByTestId('composer-file').count(), 'nothing comes back after a reload').resolves.toBe(0);
  });

  test('a code file shows a highlighted preview card, and its download is the file', async () => {
    const { alice, bob, dm } = await pair(suite.h);
    const source = ['export function greet(name: string): string {', '  return `hello ${name}`;', '}', '', 'const x = 42;', 'console.log(greet("bob"), x);', '// seven', '// eight'].join('\n');
    const id = await uploadViaApi(suite.h.server, alice, Buffer.from(source), 'greet.ts');
    const b = await signedIn(suite, bob, dm.id);
    // Sent by another client while Bob watches.
    const res = await api<Message>(suite.h.server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: randomUUID(), body: 'the helper', attachments: [id] }, alice.token);
    expect(res.status).toBe(201);

    const card = b.locator(`[data-testid="attachment-file"][data-file-id="${id}"]`);
    await card.waitFor({ timeout: 15_000 });
    await expect(card.getAttribute('data-kind')).resolves.toBe('code');
    await expect(card.textContent()).resolves.toContain('greet.ts');
    const preview = card.getByTestId('attachment-preview');
    // Highlighted by the same shiki path as code blocks: coloured token spans.
    await expect.poll(() => preview.locator('.tok').count(), { timeout: 15_000 }).toBeGreaterThan(5);
    await expect(preview.textContent()).resolves.not.toContain('// seven');
    await card.getByRole('button', { name: 'Show more' }).click();
    await expect.poll(() => preview.textContent()).toContain('// eight');

    const [download] = await Promise.all([b.waitForEvent('download'), card.getByRole('button', { name: 'Download greet.ts' }).click()]);
    expect(download.suggestedFilename()).toBe('greet.ts');
    const saved = await download.path();
    const { readFile } = await import('node:fs/promises');
    await expect(readFile(saved, 'utf8')).resolves.toBe(source);
  });

  test('a reload in the middle of an upload brings the file back and resumes from the server’s offset', async () => {
    const { alice, bob, dm } = await pair(suite.h);
    const { context, page: a } = await suite.h.newPage();
    suite.track(a);
    await a.goto('/');
    await loginInUi(a, alice.user.username);
    await openConversation(a, dm.id);

    const bytes = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
    const cdp = await context.newCDPSession(a);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 512 * 1024 });
    await a.getByTestId('composer-file-input').setInputFiles([{ name: 'big.bin', mimeType: 'application/octet-stream', buffer: bytes }], { timeout: BIG_FILE_MS });
    const progress = chip(a, 'big.bin').locator('progress');
    await expect.poll(() => progress.evaluate((p: HTMLProgressElement) => p.value), { timeout: 20_000 }).toBeGreaterThanOrEqual(15);

    // The server's offset, as tus asks for it on resume (HEAD): more than zero means a real resume.
    const offsets: number[] = [];
    a.on('response', (r) => {
      if (r.request().method() === 'HEAD' && r.url().includes('/api/v1/uploads/')) offsets.push(Number(r.headers()['upload-offset'] ?? -1));
    });
    // Reloaded while the upload is still crawling: lifting the throttle first would let it finish.
    await a.reload();
    await a.getByTestId('message-list').waitFor();
    await chip(a, 'big.bin').waitFor();
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await expect.poll(() => chip(a, 'big.bin').getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
    expect(offsets.length, 'the upload was resumed with a HEAD').toBeGreaterThan(0);
    expect(offsets[0]!).toBeGreaterThan(0);
    expect(offsets[0]!).toBeLessThan(bytes.length);

    await a.getByTestId('composer-input').press('Enter');
    await expect.poll(async () => (await historyViaApi(suite.h.server, bob.token, dm.id)).at(-1)?.attachments.length ?? 0, { timeout: 15_000 }).toBe(1);
    const att = (await historyViaApi(suite.h.server, bob.token, dm.id)).at(-1)!.attachments[0]!;
    expect(att.size).toBe(bytes.length);
    const got = Buffer.from(await (await fetch(`${suite.h.server.url}/api/v1/files/${att.id}`, { headers: { authorization: `Bearer ${bob.token}` } })).arrayBuffer());
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
  test('an upload cut by a network drop continues from the server’s offset when the network returns', async () => {
    const { alice, dm } = await pair(suite.h);
    // The page reaches the server through a proxy that drops every connection at a known byte.
    const target = new URL(suite.h.server.url);
    const proxy = await tcpProxy(target.hostname, Number(target.port));
    try {
      const { page: a } = await suite.h.newPage();
      suite.track(a);
      await a.goto(proxy.url('http', '/'));
      await loginInUi(a, alice.user.username);
      await openConversation(a, dm.id);
      const bytes = Buffer.alloc(4 * 1024 * 1024);
      for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((i * 40503) >>> 0, i);
      const offsets: number[] = [];
      a.on('response', (r) => {
        if (r.request().method() === 'HEAD' && r.url().includes('/api/v1/uploads/')) offsets.push(Number(r.headers()['upload-offset'] ?? -1));
      });
      const cut = proxy.cutAfter(1_500_000);
      await a.getByTestId('composer-file-input').setInputFiles([{ name: 'trace.bin', mimeType: 'application/octet-stream', buffer: bytes }], { timeout: BIG_FILE_MS });
      await cut;
      await a.getByTestId('offline-banner').waitFor();
      expect(await chip(a, 'trace.bin').getAttribute('data-status')).not.toBe('done');
      proxy.restore();
      await expect.poll(() => chip(a, 'trace.bin').getAttribute('data-status'), { timeout: 45_000 }).toBe('done');
      const resumedAt = offsets.find((o) => o > 0);
      expect(resumedAt, 'resumed from bytes the server already had').toBeGreaterThan(0);
      expect(resumedAt!).toBeLessThan(bytes.length);
      await a.getByTestId('composer-input').press('Enter');
      await expect.poll(async () => (await historyViaApi(suite.h.server, alice.token, dm.id)).at(-1)?.attachments[0]?.size, { timeout: 20_000 }).toBe(bytes.length);
    } finally {
      await proxy.close();
    }
  });

  test('thumbnails, file cards, chips and the lightbox have accessible names and pass axe in light and dark', async () => {
    const { alice, bob, dm } = await pair(suite.h);
    const img = await uploadViaApi(suite.h.server, alice, await png(500, 300), 'chart.png');
    const log = await uploadViaApi(suite.h.server, alice, Buffer.from('line one\nline two\n'), 'build.log');
    const res = await api(suite.h.server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: randomUUID(), body: 'results', attachments: [img, log] }, alice.token);
    expect(res.status).toBe(201);
    for (const theme of ['light', 'dark']) {
      const { page } = await suite.h.newPage({ colorScheme: theme as 'light' | 'dark' });
      suite.track(page);
      await page.goto('/');
      await loginInUi(page, bob.user.username);
      await openConversation(page, dm.id);
      await page.getByTestId('attachment-image').locator('img').waitFor();
      await page.getByTestId('attachment-file').waitFor();
      await expect(page.evaluate(() => document.documentElement.getAttribute('data-theme'))).resolves.toBe(theme);
      await page.getByTestId('composer-file-input').setInputFiles([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') }]);
      await page.getByTestId('composer-file').waitFor();
      await expect(page.getByRole('button', { name: 'Download build.log' }).count()).resolves.toBe(1);
      await expect(page.getByRole('button', { name: 'Attach files' }).count()).resolves.toBe(1);
      await expect(page.getByRole('list', { name: 'Files to send' }).count()).resolves.toBe(1);
      expect(severe(await runAxe(page)), `timeline and composer, ${theme}`).toEqual([]);
      await page.getByRole('button', { name: 'Open image chart.png' }).click();
      await page.getByRole('dialog', { name: 'Image viewer: chart.png' }).waitFor();
      expect(severe(await runAxe(page)), `lightbox, ${theme}`).toEqual([]);
      await page.keyboard.press('Escape');
    }
  });
});

describe.skipIf(browserUnavailable !== null)('file limits in the browser', { timeout: 45_000 }, () => {
  const suite = browserHarness({ limits: { maxUploadBytes: 100_000, userQuotaBytes: 150_000 } });

  test('a file over the size limit and one over the quota are refused with a clear reason, and cannot be sent', async () => {
    const { alice, dm } = await pair(suite.h);
    const a = await signedIn(suite, alice, dm.id);
    await a.getByTestId('composer-file-input').setInputFiles([{ name: 'huge.log', mimeType: 'text/plain', buffer: Buffer.alloc(120_000, 'a') }]);
    const huge = chip(a, 'huge.log');
    await expect.poll(() => huge.getAttribute('data-status'), { timeout: 15_000 }).toBe('error');
    await expect(huge.getByTestId('composer-file-error').textContent()).resolves.toBe('huge.log is larger than the server accepts for one file.');

    await a.getByTestId('composer-file-input').setInputFiles([{ name: 'first.log', mimeType: 'text/plain', buffer: Buffer.alloc(90_000, 'b') }]);
    await expect.poll(() => chip(a, 'first.log').getAttribute('data-status'), { timeout: 15_000 }).toBe('done');
    await a.getByTestId('composer-file-input').setInputFiles([{ name: 'second.log', mimeType: 'text/plain', buffer: Buffer.alloc(90_000, 'c') }]);
    const second = chip(a, 'second.log');
    await expect.poll(() => second.getAttribute('data-status'), { timeout: 15_000 }).toBe('error');
    await expect(second.getByTestId('composer-file-error').textContent()).resolves.toBe('second.log does not fit in your storage quota.');

    await a.getByTestId('composer-input').fill('logs');
    await expect(a.getByTestId('composer-send').isDisabled(), 'a failed file blocks the send').resolves.toBe(true);
    await huge.getByTestId('composer-file-remove').click();
    await second.getByTestId('composer-file-remove').click();
    await a.getByTestId('composer-send').click();
    await expect.poll(async () => (await historyViaApi(suite.h.server, alice.token, dm.id)).at(-1)?.attachments.map((x) => x.name), { timeout: 15_000 }).toEqual(['first.log']);
  });
});
