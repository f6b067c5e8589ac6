import { describe, expect, test } from 'vitest';
import { createConversation, registerUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, signedIn, messagesWithText, openConversation, runAxe, uniqueName } from './support.js';

announceSkip();

describe.skipIf(browserUnavailable !== null)('incoming webhooks in the browser', { timeout: 90_000 }, () => {
  const suite = browserHarness();

  const post = (url: string, text: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) }).then(async (r) => [r.status, await r.text()]);

  test('a channel admin creates a webhook, a script posts to its URL and the post appears; a new URL retires the old one; revoking ends it; a plain member has no such button', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const room = await createConversation(suite.h.server, alice.token, { kind: 'channel', name: uniqueName('deploys'), visibility: 'private', member_ids: [bob.user.id] });

    const page = await signedIn(suite, alice);
    await openConversation(page, room.id);
    await page.getByTestId('open-webhooks').click();
    await page.getByTestId('webhooks-empty').waitFor();
    await page.getByTestId('webhook-name').fill('CI');
    await page.getByTestId('webhook-create').click();
    const url = await page.getByTestId('webhook-url').inputValue();
    expect(url).toMatch(/\/hooks\/[0-9A-Z]{26}\/[A-Za-z0-9_-]{43}$/);
    await expect.poll(() => page.getByTestId('webhook-row').count()).toBe(1);
    const violations = (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(violations.map((v) => v.id)).toEqual([]);

    expect(await post(url, 'Deploy *v2* done')).toEqual([200, 'ok']);
    await page.keyboard.press('Escape');
    await messagesWithText(page, 'Deploy v2 done').waitFor();
    await expect(messagesWithText(page, 'Deploy v2 done').locator('strong').textContent()).resolves.toBe('v2');
    // Shown as from the hook, marked as a bot.
    await expect(messagesWithText(page, 'Deploy v2 done').locator('.sender').textContent()).resolves.toBe('CI');
    await expect(messagesWithText(page, 'Deploy v2 done').getByTestId('bot-badge').textContent()).resolves.toBe('BOT');

    await page.getByTestId('open-webhooks').click();
    await expect.poll(() => page.getByTestId('webhook-row').count()).toBe(1);
    await page.getByTestId('webhook-rotate').click();
    await expect.poll(() => page.getByTestId('webhook-url').inputValue()).not.toBe(url);
    const next = await page.getByTestId('webhook-url').inputValue();
    expect(await post(url, 'old')).toEqual([404, 'no_service']);
    expect(await post(next, 'new')).toEqual([200, 'ok']);
    await page.getByTestId('webhook-revoke').click();
    await page.getByTestId('webhook-revoke-confirm').click();
    await page.getByTestId('webhooks-empty').waitFor();
    expect(await post(next, 'gone')).toEqual([404, 'no_service']);

    const bobPage = await signedIn(suite, bob);
    await openConversation(bobPage, room.id);
    await messagesWithText(bobPage, 'new').first().waitFor();
    await expect(bobPage.getByTestId('open-webhooks').count()).resolves.toBe(0);
  });
});
