/**
 * Network status and low-bandwidth mode in the browser: the panel shows the round trip, the
 * reconnections and what waits to be sent, live; low-bandwidth mode stops typing indicators both
 * ways (the server sends none to this page, and the page sends none), survives a reload, loads
 * history in smaller pages, and messages still flow.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { createConversation, registerUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, historyViaApi, loginInUi, messagesWithText, openConversation, runAxe, screenshot, sendViaApi, signedIn, uniqueName } from './support.js';

announceSkip();

/** The page size of every history page the page asks for. */
function historyLimits(page: Page): number[] {
  const limits: number[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (/\/api\/v1\/conversations\/[^/]+\/messages$/.test(url.pathname) && r.method() === 'GET') limits.push(Number(url.searchParams.get('limit')));
  });
  return limits;
}

describe.skipIf(browserUnavailable !== null)('network status and low-bandwidth mode', { timeout: 120_000 }, () => {
  const suite = browserHarness();

  test('the panel shows the round trip, a reconnection and a message waiting while offline', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const dm = await createConversation(suite.h.server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const { page } = await suite.h.newPage();
    suite.track(page);
    // Keeps the page's sockets within reach, to cut one as a network drop would.
    await page.addInitScript(() => {
      const Native = window.WebSocket;
      const open: WebSocket[] = [];
      (window as unknown as { __sockets: WebSocket[] }).__sockets = open;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          open.push(this);
        }
      };
    });
    await page.goto('/');
    await loginInUi(page, alice.user.username);
    await openConversation(page, dm.id);

    await page.getByTestId('network-status').click();
    const panel = page.getByTestId('network-panel');
    await expect.poll(() => panel.getByTestId('network-rtt').innerText()).toMatch(/^\d+ ms$/);
    await expect(panel.getByTestId('network-state').innerText()).resolves.toBe('Connected');
    await expect(panel.getByTestId('network-reconnects').innerText()).resolves.toBe('0 since this page opened');
    await expect(panel.getByTestId('network-pending').innerText()).resolves.toBe('0 messages');
    expect((await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => v.id)).toEqual([]);
    await screenshot(page, 'network-status');
    await page.keyboard.press('Escape');

    await page.context().setOffline(true);
    await page.getByTestId('composer-input').fill('sent from the tunnel');
    await page.getByTestId('composer-input').press('Enter');
    await page.getByTestId('network-status').click();
    await expect.poll(() => panel.getByTestId('network-pending').innerText()).toBe('1 message');
    await expect.poll(() => panel.getByTestId('network-state').innerText()).toBe('Offline');
    await page.context().setOffline(false);
    await expect.poll(() => panel.getByTestId('network-pending').innerText(), { timeout: 30_000 }).toBe('0 messages');
    // The connection drops: the page reconnects by itself, and counts it.
    await page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.forEach((ws) => ws.close()));
    await expect.poll(() => panel.getByTestId('network-reconnects').innerText(), { timeout: 30_000 }).toBe('1 since this page opened');
    await expect.poll(() => panel.getByTestId('network-state').innerText()).toBe('Connected');
    await expect.poll(async () => (await historyViaApi(suite.h.server, bob.token, dm.id)).map((m) => m.body)).toEqual(['sent from the tunnel']);
  });

  test('low-bandwidth mode: no typing either way, after a reload too; smaller history pages; messages still flow', async () => {
    const carol = await registerUser(suite.h.server, uniqueName('carol'));
    const dan = await registerUser(suite.h.server, uniqueName('dan'));
    const dm = await createConversation(suite.h.server, carol.token, { kind: 'dm', user_id: dan.user.id });
    for (let i = 1; i <= 45; i++) await sendViaApi(suite.h.server, dan.token, dm.id, `earlier ${i}`);
    const c = await signedIn(suite, carol);
    const d = await signedIn(suite, dan);
    await openConversation(d, dm.id);

    // Carol turns it on, then reloads: the choice is this device's and holds.
    await c.getByTestId('network-status').click();
    await c.getByTestId('low-bandwidth').check();
    await c.keyboard.press('Escape');
    await c.reload();
    const limits = historyLimits(c);
    await openConversation(c, dm.id);
    await messagesWithText(c, 'earlier 45').waitFor();
    await c.getByTestId('network-status').click();
    await expect(c.getByTestId('low-bandwidth').isChecked()).resolves.toBe(true);
    await c.keyboard.press('Escape');
    expect(limits.length).toBeGreaterThan(0);
    expect(Math.max(...limits)).toBeLessThanOrEqual(20);

    // Dan types: Carol's page is sent nothing of it. Carol types: Dan sees nothing either.
    await d.getByTestId('composer-input').pressSequentially('typing away at this', { delay: 40 });
    await c.getByTestId('composer-input').pressSequentially('and me too', { delay: 40 });
    await new Promise((r) => setTimeout(r, 1_500));
    await expect(c.getByTestId('typing-indicator').count()).resolves.toBe(0);
    await expect(d.getByTestId('typing-indicator').count()).resolves.toBe(0);
    // Messages are not affected.
    await d.getByTestId('composer-input').press('Enter');
    await messagesWithText(c, 'typing away at this').waitFor();

    // Off again: Dan's typing reaches Carol.
    await c.getByTestId('network-status').click();
    await c.getByTestId('low-bandwidth').uncheck();
    await c.keyboard.press('Escape');
    await d.getByTestId('composer-input').pressSequentially('and now you see me', { delay: 40 });
    await c.getByTestId('typing-indicator').waitFor({ timeout: 10_000 });
  });
});
