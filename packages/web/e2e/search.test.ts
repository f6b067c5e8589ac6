import { describe, expect, test } from 'vitest';
import { createConversation, registerUser, type TestUser } from '@parley/server/testing';
import type { Conversation } from '@parley/protocol';
import { announceSkip, browserHarness, browserUnavailable, signedIn, messagesWithText, runAxe, sendViaApi, uniqueName } from './support.js';

announceSkip();

describe.skipIf(browserUnavailable !== null)('searching messages in the browser', { timeout: 90_000 }, () => {
  const suite = browserHarness();

  async function team(): Promise<{ alice: TestUser; bob: TestUser; room: Conversation }> {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const room = await createConversation(suite.h.server, alice.token, { kind: 'channel', name: uniqueName('ops'), visibility: 'public', member_ids: [bob.user.id] });
    return { alice, bob, room };
  }

  test('Bob searches 部署, sees it marked in Alice’s message, and the click opens the conversation scrolled to it, highlighted, with its surroundings', async () => {
    const { alice, bob, room } = await team();
    const send = (body: string) => sendViaApi(suite.h.server, alice.token, room.id, body);
    for (let i = 1; i <= 20; i++) await send(`earlier note ${i}`);
    const hit = await send('今天的部署失败了');
    // Far more than the first page and one older page: the message must be loaded around its seq.
    for (let i = 1; i <= 180; i++) await send(`later note ${i}`);

    const page = await signedIn(suite, bob);
    await page.getByTestId('sidebar').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    const input = page.getByTestId('search-input');
    await input.waitFor();
    await expect(input.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await input.fill('部署');

    const result = page.locator(`[data-testid="search-hit"][data-message-id="${hit.id}"]`);
    await result.waitFor();
    await expect(result.getByTestId('search-hit-body').innerText()).resolves.toBe('今天的部署失败了');
    await expect(result.locator('mark').allInnerTexts()).resolves.toEqual(['部署']);
    const group = page.locator(`[data-testid="search-group"][data-conv-id="${room.id}"]`);
    await expect(group.getAttribute('aria-label')).resolves.toBe(`#${room.name}`);

    await result.click();
    await page.waitForURL(`**/c/${room.id}/${hit.id}`);
    await page.getByTestId('search-panel').waitFor({ state: 'detached' });
    const row = page.locator(`[data-testid="message"][data-message-id="${hit.id}"]`);
    await row.waitFor();
    await expect.poll(() => row.getAttribute('class')).toContain('highlighted');
    // In view, inside the list's visible area.
    await expect
      .poll(async () => {
        const [r, list] = await Promise.all([row.boundingBox(), page.getByTestId('message-list').boundingBox()]);
        return !!r && !!list && r.y >= list.y && r.y + r.height <= list.y + list.height;
      })
      .toBe(true);
    // Its neighbours on both sides are loaded too.
    await messagesWithText(page, 'earlier note 20').waitFor({ state: 'attached' });
    await messagesWithText(page, 'later note 1').first().waitFor({ state: 'attached' });
    // The highlight is brief.
    await expect.poll(() => row.getAttribute('class'), { timeout: 8_000 }).not.toContain('highlighted');

    // And the way back to the present.
    await page.getByTestId('jump-latest').click();
    await messagesWithText(page, 'later note 180').waitFor();

    // Many hits come a page at a time, newest first, with more on request.
    await page.keyboard.press('Control+Shift+F');
    await page.getByTestId('search-input').fill('note');
    const hits = page.getByTestId('search-hit');
    await expect.poll(() => hits.count()).toBe(30);
    await expect(hits.first().getByTestId('search-hit-body').innerText()).resolves.toBe('later note 180');
    await page.getByTestId('search-more').click();
    await expect.poll(() => hits.count()).toBe(60);
    await expect(hits.nth(30).getByTestId('search-hit-body').innerText()).resolves.toBe('later note 150');
    await page.getByTestId('search-order-relevance').click();
    await expect(page.getByTestId('search-order-relevance').getAttribute('aria-pressed')).resolves.toBe('true');
    await expect.poll(() => hits.count()).toBe(30);
  });

  test('from: and in: complete from people and conversations as you type; the header searches in its conversation; arrows and Enter open a hit', async () => {
    const { alice, bob, room } = await team();
    await sendViaApi(suite.h.server, alice.token, room.id, 'the rollback worked');
    await sendViaApi(suite.h.server, bob.token, room.id, 'rollback is done on my side');
    const page = await signedIn(suite, bob);
    // The sidebar still shows unread badges here: the axe checks below cover them too.

    await page.keyboard.press('Control+Shift+F');
    const input = page.getByTestId('search-input');
    await input.waitFor();
    await input.pressSequentially(`rollback from:${alice.user.username.slice(0, -1)}`);
    const fromOption = page.locator(`[data-testid="search-suggestion"][data-value="@${alice.user.username}"]`);
    await fromOption.waitFor();
    await input.press('Enter');
    await expect(input.inputValue()).resolves.toBe(`rollback from:@${alice.user.username} `);

    await input.pressSequentially(`in:${room.name!.slice(0, -1)}`);
    await page.locator(`[data-testid="search-suggestion"][data-value="#${room.name}"]`).click();
    await expect(input.inputValue()).resolves.toBe(`rollback from:@${alice.user.username} in:#${room.name} `);

    const hits = page.getByTestId('search-hit');
    await expect.poll(() => hits.count()).toBe(1);
    await expect(hits.first().innerText()).resolves.toContain('the rollback worked');
    // The panel with results, in both themes, has nothing axe calls critical or serious.
    for (const theme of ['light', 'dark']) {
      await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
      const severe = (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
      expect(
        severe.map((v) => `${v.id} ${JSON.stringify(v.nodes.map((n) => n.target))}`),
        theme,
      ).toEqual([]);
    }

    await input.press('ArrowDown');
    await expect(hits.first().getAttribute('aria-selected')).resolves.toBe('true');
    await input.press('Enter');
    await page.waitForURL(`**/c/${room.id}/*`);

    // Searching from the conversation's header starts with it as the filter.
    await page.getByTestId('search-in-conversation').click();
    await expect(page.getByTestId('search-input').inputValue()).resolves.toBe(`in:#${room.name} `);
    await page.keyboard.press('Escape');
    await page.getByTestId('search-panel').waitFor({ state: 'detached' });
  });

  test('a query with bad syntax, or naming a channel that does not exist, shows the server’s reason under the box', async () => {
    const { bob } = await team();
    const page = await signedIn(suite, bob);
    await page.getByTestId('open-search').click();
    const input = page.getByTestId('search-input');
    await input.fill('"unclosed phrase');
    const error = page.getByTestId('search-error');
    await expect.poll(() => error.innerText().catch(() => '')).toMatch(/quote is not closed/);
    await expect(input.getAttribute('aria-invalid')).resolves.toBe('true');

    await input.fill('deploy in:#no-such-room-here ');
    await expect.poll(() => error.innerText().catch(() => '')).toMatch(/no-such-room-here/);

    await input.fill('deploy');
    await error.waitFor({ state: 'detached' });
  });
});
