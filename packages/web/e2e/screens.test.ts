import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { api, createConversation, registerUser, type TestUser } from '@parley/server/testing';
import {
  RESULTS_DIR,
  announceSkip,
  browserHarness,
  browserUnavailable,
  loginInUi,
  messagesWithText,
  openConversation,
  runAxe,
  screenshot,
  sendViaApi,
  uniqueName,
  type AxeViolation,
  type Harness,
} from './support.js';

announceSkip();

/** Writes the full axe report next to the screenshots and returns the critical and serious violations. */
function severe(name: string, violations: AxeViolation[]): string[] {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, `axe-${name}.json`), JSON.stringify(violations, null, 2));
  return violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
}

async function currentTheme(page: Page): Promise<string | null> {
  return page.evaluate(() => document.documentElement.getAttribute('data-theme'));
}

/** Flips the theme with theme-toggle (opening settings first when the toggle lives there). */
async function useTheme(page: Page, want: 'light' | 'dark'): Promise<void> {
  const toggle = page.getByTestId('theme-toggle');
  let openedSettings = false;
  for (let clicks = 0; (await currentTheme(page)) !== want && clicks < 3; clicks++) {
    if (!(await toggle.isVisible())) {
      await page.getByTestId('settings-open').click();
      openedSettings = true;
    }
    await toggle.click();
  }
  await expect.poll(() => currentTheme(page), { message: 'documentElement data-theme' }).toBe(want);
  if (openedSettings) {
    await page.keyboard.press('Escape');
    await page
      .getByTestId('dialog')
      .waitFor({ state: 'hidden' })
      .catch(() => undefined);
  }
}

describe.skipIf(browserUnavailable !== null)('the main screens', { timeout: 45_000 }, () => {
  const suite = browserHarness();
  let alice: TestUser;
  let convId: string;
  let rootId: string;

  beforeAll(async () => {
    // A lived-in channel: plain text, Markdown, code, a reaction and a thread.
    alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const channel = await createConversation(suite.h.server, alice.token, {
      kind: 'channel',
      name: uniqueName('design'),
      visibility: 'public',
      topic: 'Screens and pixels',
      member_ids: [bob.user.id],
    });
    convId = channel.id;
    await sendViaApi(suite.h.server, bob.token, convId, 'Morning! The **new sidebar** is up for review.');
    const root = await sendViaApi(suite.h.server, alice.token, convId, 'Looks great. Two things:\n\n1. the badge colour\n2. the `focus` ring');
    rootId = root.id;
    await sendViaApi(suite.h.server, bob.token, convId, 'Badge colour fixed in the next build', rootId);
    await sendViaApi(suite.h.server, alice.token, convId, 'Thanks, checking now', rootId);
    await sendViaApi(suite.h.server, bob.token, convId, '```ts\nconst unread = conversations.filter((c) => c.unread_count > 0);\n```');
    const last = await sendViaApi(suite.h.server, alice.token, convId, 'Shipping it after lunch :rocket:');
    await api(suite.h.server, 'POST', `/messages/${last.id}/reactions`, { emoji: '👍' }, bob.token);
  }, 180_000);

  async function signedInOnConversation(options: Parameters<Harness['newPage']>[0] = {}): Promise<Page> {
    const { page } = await suite.h.newPage({ colorScheme: 'light', ...options });
    suite.track(page);
    await page.goto('/');
    await loginInUi(page, alice.user.username);
    await openConversation(page, convId);
    await messagesWithText(page, 'Shipping it after lunch').waitFor();
    return page;
  }

  test('a browser that prefers Chinese gets its first screen in Chinese (the dictionary loads before it), and English comes back from Settings', async () => {
    const { page } = await suite.h.newPage({ colorScheme: 'light', locale: 'zh-CN' });
    suite.track(page);
    await page.goto('/');
    await expect(page.locator('h1').innerText()).resolves.toBe('登录 Parley');
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('zh-CN');
    await loginInUi(page, alice.user.username);
    await page.getByTestId('settings-open').click();
    await page.getByTestId('language-select').selectOption('en');
    await expect.poll(() => page.getByTestId('settings-open').getAttribute('aria-label')).toBe('Settings');
  });

  test('the login screen renders and has no critical or serious accessibility violations', async () => {
    const { page } = await suite.h.newPage({ colorScheme: 'light' });
    suite.track(page);
    await page.goto('/');
    await page.getByTestId('auth-username').waitFor();
    await page.getByTestId('auth-submit').waitFor();
    await screenshot(page, 'login');
    expect(severe('login', await runAxe(page))).toEqual([]);
  });

  test('the conversation screen renders in light and dark themes and has no critical or serious accessibility violations', async () => {
    const page = await signedInOnConversation();
    await useTheme(page, 'light');
    await screenshot(page, 'conversation-light');
    expect(severe('conversation', await runAxe(page))).toEqual([]);

    await useTheme(page, 'dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await screenshot(page, 'conversation-dark');
    expect(severe('conversation-dark', await runAxe(page))).toEqual([]);
    await useTheme(page, 'light');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'the dark theme changes the page background').not.toBe(background);
  });

  test('on a 375×812 phone the conversation fits the screen without sideways scrolling', async () => {
    const page = await signedInOnConversation({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await screenshot(page, 'phone-375x812');
    const fit = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    expect(fit.scrollWidth, 'no horizontal overflow').toBeLessThanOrEqual(fit.innerWidth);
    const composer = await page.getByTestId('composer-input').boundingBox();
    expect(composer, 'the composer is on screen').not.toBeNull();
    expect(composer!.x).toBeGreaterThanOrEqual(0);
    expect(composer!.x + composer!.width).toBeLessThanOrEqual(375 + 1);
    expect(composer!.y + composer!.height).toBeLessThanOrEqual(812 + 1);
    // The header says where you are: the name keeps room beside the buttons (it had none), which all fit.
    const title = page.getByTestId('conversation-header').locator('.conv-title');
    expect(await title.evaluate((el) => el.clientWidth), 'room for the conversation’s name').toBeGreaterThanOrEqual(90);
    for (const button of await page.getByTestId('conversation-header').locator('button:visible').all()) {
      const box = await button.boundingBox();
      expect(box && box.x + box.width <= 375 + 1, `${await button.getAttribute('aria-label')} is on screen`).toBe(true);
    }
  });

  test('replying from the message menu opens the thread panel with the thread’s replies', async () => {
    const page = await signedInOnConversation();
    const root = page.locator(`[data-testid="message"][data-message-id="${rootId}"]`);
    await root.hover();
    await root.getByTestId('message-actions').click();
    await page.getByTestId('action-reply').click();
    const panel = page.getByTestId('thread-panel');
    await panel.waitFor();
    await panel.getByText('Badge colour fixed in the next build').waitFor();
    await panel.getByText('Thanks, checking now').waitFor();
    await panel.getByTestId('thread-composer-input').waitFor();
    await screenshot(page, 'thread-panel');
  });
});
