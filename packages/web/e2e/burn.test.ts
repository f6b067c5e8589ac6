import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { createConversation, registerUser } from '@parley/server/testing';
import { REPO_ROOT, announceSkip, browserHarness, browserUnavailable, historyViaApi, messagesWithText, openConversation, sendViaApi, signedIn, uniqueName } from './support.js';

announceSkip();

/** The shot of a revealed burn message used by the docs (docs/web.md). */
const DOCS_SHOT = path.join(REPO_ROOT, 'docs', 'images', 'burn-after-reading.png');

/** Everything this page's origin keeps in IndexedDB (every database, every store), as JSON. */
function indexedDbText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const done = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const out: Record<string, unknown> = {};
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await done(indexedDB.open(info.name));
      for (const name of Array.from(db.objectStoreNames)) {
        const store = db.transaction(name, 'readonly').objectStore(name);
        out[`${info.name}/${name}`] = { keys: await done(store.getAllKeys()), values: await done(store.getAll()) };
      }
      db.close();
    }
    return JSON.stringify(out);
  });
}

/** Everything this page's origin keeps in localStorage (drafts live there), as JSON. */
function localStorageText(page: Page): Promise<string> {
  return page.evaluate(() => JSON.stringify(Array.from({ length: localStorage.length }, (_, i) => [localStorage.key(i), localStorage.getItem(localStorage.key(i) ?? '')])));
}

const byId = (page: Page, id: string) => page.locator(`[data-testid="message"][data-message-id="${id}"]`);

/** Sends `/burn …` from the page's composer and returns the id of the row the server's copy made. */
async function burnFrom(page: Page, line: string, before: number): Promise<string> {
  const input = page.getByTestId('composer-input');
  await input.fill(line);
  await input.press('Enter');
  await expect(input.inputValue()).resolves.toBe('');
  const rows = page.locator('[data-testid="message"][data-burn="yes"]:not([data-message-id=""])');
  await expect.poll(() => rows.count()).toBe(before + 1);
  return (await rows.nth(before).getAttribute('data-message-id'))!;
}

describe.skipIf(browserUnavailable !== null)('burn after reading in the web client', { timeout: 90_000 }, () => {
  // A burn time of seconds, so a test can watch one run out; the server's sweeper polls every second.
  const suite = browserHarness({ burnMinMs: 1_000 });

  test('/burn 3s in a DM: hidden until revealed, gone from the reader after 3 s, a tombstone for both once it burns, and nowhere on disk', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const dm = await createConversation(suite.h.server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await signedIn(suite, alice);
    const b = await signedIn(suite, bob);
    await openConversation(a, dm.id);
    await openConversation(b, dm.id);

    // Typed and left a moment (longer than the draft's save delay): the words are not kept as a draft.
    const input = a.getByTestId('composer-input');
    await input.fill('/burn 3s the password is hunter2');
    await a.waitForTimeout(800);
    expect(await localStorageText(a)).not.toContain('hunter2');
    await input.press('Enter');
    await expect(input.inputValue()).resolves.toBe('');
    const bRow = b.locator('[data-testid="message"][data-burn="yes"]');
    await bRow.getByTestId('burn-reveal').waitFor();
    const id = (await bRow.getAttribute('data-message-id'))!;
    await expect(bRow.getByTestId('burn-badge').textContent()).resolves.toBe('🔥 Burns 3 seconds after reading');
    await expect(bRow.getByTestId('burn-reveal').textContent()).resolves.toBe('Click to reveal');
    // Not on either screen, not in the shared copy the server hands out.
    expect(await b.content()).not.toContain('hunter2');
    await byId(a, id).getByTestId('burn-reveal').waitFor();
    expect(await a.content()).not.toContain('hunter2');
    expect((await historyViaApi(suite.h.server, bob.token, dm.id)).find((m) => m.id === id)?.body).toBe('');

    const clicked = Date.now();
    await bRow.getByTestId('burn-reveal').click();
    await bRow.getByTestId('message-body').filter({ hasText: 'the password is hunter2' }).waitFor();
    await expect(bRow.getByTestId('burn-countdown').textContent()).resolves.toMatch(/^burns in 0:0[1-3]$/);
    // Dropped at the reader's end, not before: about three seconds after the click.
    await expect.poll(async () => (await b.content()).includes('hunter2'), { timeout: 10_000, interval: 100 }).toBe(false);
    const shownFor = Date.now() - clicked;
    expect(shownFor).toBeGreaterThan(2_500);
    expect(shownFor).toBeLessThan(6_000);

    // Bob was its only reader: the server burns it for everyone, and both rows become the tombstone.
    for (const page of [b, a]) {
      const row = byId(page, id);
      await row.locator('[data-burn-state="tombstone"]').waitFor({ timeout: 10_000 });
      await expect(row.getByTestId('message-body').textContent()).resolves.toBe('🔥 burned after reading');
      await expect(row.getByTestId('burn-reveal').count()).resolves.toBe(0);
    }

    // A reload shows the tombstone from the cache and the server, and nothing of the words. The
    // cache is checked once it holds the message, so the search runs over what really is on disk.
    await b.reload();
    await byId(b, id).locator('[data-burn-state="tombstone"]').waitFor();
    expect(await b.content()).not.toContain('hunter2');
    await expect.poll(() => indexedDbText(b), { timeout: 10_000 }).toContain(id);
    expect(await indexedDbText(b)).not.toContain('hunter2');
    await expect.poll(() => indexedDbText(a), { timeout: 10_000 }).toContain(id);
    expect(await indexedDbText(a)).not.toContain('hunter2');
    expect(await localStorageText(a)).not.toContain('hunter2');
  });

  test("in a group: a time out of range or not a time is said and nothing is sent; revealed Markdown renders with a countdown; past one reader's time it is burned for them while another has yet to read it; its sender reads it without a timer and cannot edit it", async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const carol = await registerUser(suite.h.server, uniqueName('carol'));
    const group = await createConversation(suite.h.server, alice.token, { kind: 'group', name: 'Release keys', member_ids: [bob.user.id, carol.user.id] });
    const a = await signedIn(suite, alice);
    const b = await signedIn(suite, bob);
    await openConversation(a, group.id);
    await openConversation(b, group.id);
    const input = a.getByTestId('composer-input');

    await input.fill('/burn 8d the vault code is 4711');
    await input.press('Enter');
    await a.getByRole('alert').filter({ hasText: 'A burn time must be between 1 second and 7 days.' }).waitFor();
    await expect(input.inputValue()).resolves.toBe('/burn 8d the vault code is 4711');
    await input.fill('/burn soon the vault code is 4711');
    await input.press('Enter');
    await a.getByRole('alert').filter({ hasText: '“soon” is not a burn time.' }).waitFor();
    await input.fill('/burn 2s');
    await input.press('Enter');
    await a.getByRole('alert').filter({ hasText: 'Usage: /burn 1m text' }).waitFor();
    await a.waitForTimeout(300);
    await expect(a.getByTestId('message').count()).resolves.toBe(0);
    expect(await historyViaApi(suite.h.server, alice.token, group.id)).toEqual([]);

    await sendViaApi(suite.h.server, alice.token, group.id, 'Rotating the staging keys now. The new ones follow; each **burns after you read it**.');
    await messagesWithText(b, 'Rotating the staging keys now').waitFor();
    const short = await burnFrom(a, '/burn 2s the vault code is 4711', 0);
    // A file waiting in the composer goes with the burn message, hidden like its text.
    await a.getByTestId('composer-file-input').setInputFiles([{ name: 'rotation.txt', mimeType: 'text/plain', buffer: Buffer.from('staging keys rotate at 18:00, ask Dana-the-keeper\n') }]);
    await expect.poll(() => a.locator('[data-testid="composer-file"][data-name="rotation.txt"]').getAttribute('data-status'), { timeout: 15_000 }).toBe('done');
    const long = await burnFrom(a, '/burn 1m **Deploy key** for staging: `k7-Q2x-staging`', 1);
    await byId(b, long).getByTestId('burn-reveal').waitFor();
    for (const words of ['k7-Q2x-staging', 'rotation.txt', 'Dana-the-keeper']) expect(await b.content()).not.toContain(words);

    // Revealed, it reads like any message (Markdown rendered, its file as a card), with what is left of the reader's minute.
    const longRow = byId(b, long);
    await longRow.getByTestId('burn-reveal').click();
    await expect(longRow.locator('strong').textContent()).resolves.toBe('Deploy key');
    await expect(longRow.locator('[data-testid="message-body"] code').textContent()).resolves.toBe('k7-Q2x-staging');
    await expect(longRow.getByTestId('attachment-file').locator('.file-name').textContent()).resolves.toBe('rotation.txt');
    await expect(longRow.getByTestId('attachment-preview').textContent()).resolves.toContain('staging keys rotate at 18:00, ask Dana-the-keeper');
    await expect(longRow.getByTestId('burn-countdown').textContent()).resolves.toMatch(/^burns in (1:00|0:5\d)$/);
    await byId(b, short).getByTestId('burn-reveal').waitFor();
    // Off the rows, so no message shows its hover toolbar in the picture.
    await b.mouse.move(760, 640);
    await b.screenshot({ path: DOCS_SHOT, animations: 'disabled' });

    const shortRow = byId(b, short);
    await shortRow.getByTestId('burn-reveal').click();
    await shortRow.getByTestId('message-body').filter({ hasText: 'the vault code is 4711' }).waitFor();
    await shortRow.locator('[data-burn-state="expired"]').waitFor({ timeout: 6_000 });
    await expect(shortRow.getByTestId('message-body').textContent()).resolves.toBe('Burned for you');
    expect(await b.content()).not.toContain('4711');
    // Carol has not read it: it has not burned for everyone, so Bob's row stays "burned for you".
    await b.waitForTimeout(2_500);
    await expect(shortRow.locator('[data-burn-state="expired"]').count()).resolves.toBe(1);

    // Its sender reads it with no timer running, and has no way to edit it.
    const mine = byId(a, short);
    await mine.getByTestId('burn-reveal').click();
    await mine.getByTestId('message-body').filter({ hasText: 'the vault code is 4711' }).waitFor();
    await mine.getByText('Readable for you until it burns for everyone.').waitFor();
    await expect(mine.getByTestId('burn-countdown').count()).resolves.toBe(0);
    await mine.getByTestId('message-actions').click();
    await a.getByTestId('message-menu').waitFor();
    await expect(a.getByTestId('action-reply').count()).resolves.toBe(1);
    await expect(a.getByTestId('action-edit').count()).resolves.toBe(0);
    await a.keyboard.press('Escape');

    // After a reload Bob's page knows nothing of it; asking again, the server says it burned for him.
    await b.reload();
    await byId(b, short).getByTestId('burn-reveal').click();
    await expect(byId(b, short).getByTestId('message-body').textContent()).resolves.toBe('This message has burned');
    for (const words of ['4711', 'k7-Q2x-staging', 'rotation.txt', 'Dana-the-keeper']) expect(await b.content()).not.toContain(words);
  });
});
