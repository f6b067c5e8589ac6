/**
 * On a phone (touch only, 390 px wide): Return makes a new line and the send button sends, no
 * keyboard hints are shown, a finger resting on a message opens its menu (no button sits on every
 * row), what a finger aims at is at least 44 px, the composer's text is 16 px (iOS zooms smaller
 * fields), and tapping the open conversation in the side menu closes the menu.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { createConversation, registerUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, historyViaApi, loginInUi, messagesWithText, runAxe, screenshot, sendViaApi, uniqueName } from './support.js';

announceSkip();

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } as const;

/** A finger held on the element's centre for `ms`, through the DevTools protocol's touch events. */
async function holdFinger(page: Page, selector: string, ms: number): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  const point = { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + Math.min(box.height / 2, 20)) };
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
  await new Promise((r) => setTimeout(r, ms));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

describe.skipIf(browserUnavailable !== null)('Parley on a phone', { timeout: 90_000 }, () => {
  const suite = browserHarness();

  test('Return makes a new line and the send button sends; no keyboard hints; 16 px text; a long press opens the menu with 44 px items', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const dm = await createConversation(suite.h.server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const first = await sendViaApi(suite.h.server, bob.token, dm.id, 'Can you paste the config?');
    const { page } = await suite.h.newPage(PHONE);
    suite.track(page);
    await page.goto('/');
    await loginInUi(page, alice.user.username);
    expect(await page.evaluate(() => matchMedia('(hover: none) and (pointer: coarse)').matches), 'the page sees a touch-only device').toBe(true);
    await page.locator(`[data-testid="conv-item"][data-conv-id="${dm.id}"]`).tap();
    await page.getByTestId('message-list').waitFor();

    const input = page.getByTestId('composer-input');
    await input.tap();
    await input.pressSequentially('```');
    await page.keyboard.press('Enter');
    await input.pressSequentially('port: 8080');
    await page.keyboard.press('Enter');
    await input.pressSequentially('```');
    // Nothing was sent by Return: the lines are all in the box.
    await expect(input.inputValue()).resolves.toBe('```\nport: 8080\n```');
    await expect(page.locator('.composer-hint').innerText()).resolves.not.toMatch(/Shift|Ctrl/);
    await expect(page.getByTestId('sidebar').innerText()).resolves.not.toMatch(/Ctrl\+K|\(\/\)/);
    expect(await input.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(16);
    const send = page.getByTestId('composer-send');
    const sendBox = (await send.boundingBox())!;
    expect(Math.min(sendBox.width, sendBox.height)).toBeGreaterThanOrEqual(44);
    await send.tap();
    await expect.poll(async () => (await historyViaApi(suite.h.server, bob.token, dm.id)).map((m) => m.body)).toEqual(['Can you paste the config?', '```\nport: 8080\n```']);

    // No menu button over the message's text; a finger held on the message opens its menu.
    const row = `[data-testid="message"][data-message-id="${first.id}"]`;
    await expect(
      page
        .locator(row)
        .getByTestId('message-actions')
        .evaluate((el) => getComputedStyle(el.closest('.msg-toolbar')!).opacity),
    ).resolves.toBe('0');
    await holdFinger(page, `${row} [data-testid="message-body"]`, 800);
    const menu = page.getByTestId('message-menu');
    await menu.waitFor();
    const heights = await menu.locator('[role="menuitem"]').evaluateAll((items) => items.map((i) => i.getBoundingClientRect().height));
    expect(heights.length).toBeGreaterThan(2);
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
    await screenshot(page, 'phone-long-press-menu');
    const severe = (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => v.id);
    expect(severe).toEqual([]);
    await menu.getByTestId('action-reply').tap();
    await page.getByTestId('thread-panel').waitFor();
    await expect(messagesWithText(page, 'Can you paste the config?').count()).resolves.toBeGreaterThan(0);
  });

  test('tapping the open conversation in the side menu closes the menu', async () => {
    const carol = await registerUser(suite.h.server, uniqueName('carol'));
    const room = await createConversation(suite.h.server, carol.token, { kind: 'channel', name: uniqueName('phone'), visibility: 'public', member_ids: [] });
    const { page } = await suite.h.newPage(PHONE);
    suite.track(page);
    await page.goto('/');
    await loginInUi(page, carol.user.username);
    const item = page.locator(`[data-testid="conv-item"][data-conv-id="${room.id}"]`);
    await item.tap();
    await page.getByTestId('message-list').waitFor();
    await expect(item.isVisible()).resolves.toBe(false);

    await page.getByTestId('conversation-header').getByRole('button', { name: 'Open conversations' }).tap();
    await item.waitFor({ state: 'visible' });
    await expect(item.evaluate((el) => el.getBoundingClientRect().height)).resolves.toBeGreaterThanOrEqual(44);
    await item.tap();
    await item.waitFor({ state: 'hidden' });
    await page.getByTestId('composer-input').waitFor({ state: 'visible' });
  });
});
