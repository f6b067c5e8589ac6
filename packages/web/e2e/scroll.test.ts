/**
 * Where the message list rests, as a new user met it: one's own message always comes into view
 * when sent, even from a little way up; new content arriving while scrolled up offers "Jump to
 * latest" instead of hiding below; the unread notice sits at the top, over no message; and the
 * menu says how long a message stays editable, and that it no longer is, instead of dropping Edit.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { api, createConversation, registerUser, type TestUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, messagesWithText, openConversation, sendViaApi, signedIn, uniqueName } from './support.js';

announceSkip();

/** Whether the row is entirely inside the list's visible box (not under the composer, not above). */
async function inView(page: Page, text: string): Promise<boolean> {
  // Rows far from the view are not in the page at all (the list is virtualised).
  if ((await messagesWithText(page, text).count()) === 0) return false;
  const [r, list] = await Promise.all([messagesWithText(page, text).last().boundingBox(), page.getByTestId('message-list').boundingBox()]);
  return !!r && !!list && r.y >= list.y - 1 && r.y + r.height <= list.y + list.height + 1;
}

const fromEnd = (page: Page) => page.getByTestId('message-list').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

describe.skipIf(browserUnavailable !== null)('where the message list rests', { timeout: 120_000 }, () => {
  const suite = browserHarness();
  // The workspace's first account is its owner, who changes the edit window in the last test.
  let owner: TestUser;
  beforeAll(async () => {
    owner = await registerUser(suite.h.server, uniqueName('owner'));
  });

  test('sending from a little way up shows my message; what arrives while I read above offers Jump to latest', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const room = await createConversation(suite.h.server, bob.token, { kind: 'channel', name: uniqueName('ops'), visibility: 'public', member_ids: [alice.user.id] });
    for (let i = 1; i <= 60; i++) await sendViaApi(suite.h.server, bob.token, room.id, `status line ${i}`);
    const page = await signedIn(suite, alice);
    await openConversation(page, room.id);
    await messagesWithText(page, 'status line 60').waitFor();
    await expect.poll(() => fromEnd(page)).toBeLessThan(48);

    // A little way up: beyond "at the end", though the end is just below.
    await page.getByTestId('message-list').evaluate((el) => el.scrollBy(0, -200));
    await page.getByTestId('jump-latest').waitFor();
    await page.getByTestId('composer-input').fill('my own line');
    await page.keyboard.press('Enter');
    await expect.poll(() => inView(page, 'my own line')).toBe(true);
    await page.getByTestId('jump-latest').waitFor({ state: 'detached' });

    // Reading further up while others write: the button says there is more below.
    await page.getByTestId('message-list').evaluate((el) => el.scrollBy(0, -600));
    await page.getByTestId('jump-latest').waitFor();
    const before = await fromEnd(page);
    await sendViaApi(suite.h.server, bob.token, room.id, 'a line while alice reads above');
    // It arrived (the list grew below the view), and the view stayed where she reads.
    await expect.poll(() => fromEnd(page)).toBeGreaterThan(before + 10);
    await expect(inView(page, 'a line while alice reads above')).resolves.toBe(false);
    await expect(page.getByTestId('jump-latest').isVisible()).resolves.toBe(true);
    await page.getByTestId('jump-latest').click();
    await expect.poll(() => inView(page, 'a line while alice reads above')).toBe(true);
    await page.getByTestId('jump-latest').waitFor({ state: 'detached' });

    // At the end, what arrives is shown at once.
    await sendViaApi(suite.h.server, bob.token, room.id, 'and one more at the end');
    await expect.poll(() => inView(page, 'and one more at the end')).toBe(true);
  });

  test('the unread notice sits at the top of the list, over no message at the bottom', async () => {
    const carol = await registerUser(suite.h.server, uniqueName('carol'));
    const dan = await registerUser(suite.h.server, uniqueName('dan'));
    const room = await createConversation(suite.h.server, dan.token, { kind: 'channel', name: uniqueName('news'), visibility: 'public', member_ids: [carol.user.id] });
    // Read up to here, then more than a page of unread.
    const read = await sendViaApi(suite.h.server, dan.token, room.id, 'already read');
    const r = await api(suite.h.server, 'POST', `/conversations/${room.id}/read`, { seq: read.seq }, carol.token);
    expect(r.status).toBeLessThan(300);
    for (let i = 1; i <= 80; i++) await sendViaApi(suite.h.server, dan.token, room.id, `unread news ${i}`);
    const page = await signedIn(suite, carol);
    await openConversation(page, room.id);
    const pill = page.getByTestId('jump-unread');
    await pill.waitFor();
    const [p, list] = await Promise.all([pill.boundingBox(), page.getByTestId('message-list').boundingBox()]);
    expect(p!.y + p!.height).toBeLessThan(list!.y + list!.height / 2);
    // The newest line is not under it.
    await expect.poll(() => inView(page, 'unread news 80')).toBe(true);
    const newest = (await messagesWithText(page, 'unread news 80').last().boundingBox())!;
    expect(newest.y).toBeGreaterThan(p!.y + p!.height);
    await pill.click();
    await page.locator('.unread-marker').waitFor();
    await expect(inView(page, 'unread news 1')).resolves.toBe(true);
  });

  test('the menu says how long a message stays editable, and says so when it no longer is', async () => {
    const erin = await registerUser(suite.h.server, uniqueName('erin'));
    const room = await createConversation(suite.h.server, erin.token, { kind: 'channel', name: uniqueName('edits'), visibility: 'public', member_ids: [] });
    const set = (ms: number | null) => api(suite.h.server, 'PATCH', '/admin/settings', { edit_window_ms: ms }, owner.token);
    try {
      expect((await set(10 * 60_000)).status).toBe(200);
      const fresh = await sendViaApi(suite.h.server, erin.token, room.id, 'typo in this one');
      const page = await signedIn(suite, erin);
      await openConversation(page, room.id);
      const row = page.locator(`[data-testid="message"][data-message-id="${fresh.id}"]`);
      await row.hover();
      await row.getByTestId('message-actions').click();
      await expect(page.getByTestId('action-edit').innerText()).resolves.toMatch(/editable for (9|10) minutes more/);
      await page.keyboard.press('Escape');

      // The window shrinks under the message: a new page is told, and Edit says why it is not offered.
      expect((await set(2_000)).status).toBe(200);
      await new Promise((r) => setTimeout(r, Math.max(0, 2_500 - (Date.now() - Date.parse(fresh.created_at)))));
      await page.reload();
      await openConversation(page, room.id);
      await row.hover();
      await row.getByTestId('message-actions').click();
      await expect(page.getByTestId('action-edit').count()).resolves.toBe(0);
      const closed = page.getByTestId('action-edit-closed');
      await expect(closed.innerText()).resolves.toContain('messages can be edited for 2 seconds after sending');
      await expect(closed.isDisabled()).resolves.toBe(true);
    } finally {
      await set(null);
    }
  });
});
