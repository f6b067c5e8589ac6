import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { api, createConversation, registerUser } from '@parley/server/testing';
import type { PinsPage, SavedPage } from '@parley/protocol';
import { announceSkip, browserHarness, browserUnavailable, openConversation, runAxe, screenshot, sendViaApi, signedIn, uniqueName } from './support.js';

announceSkip();

const byId = (page: Page, id: string) => page.locator(`[data-testid="message"][data-message-id="${id}"]`);

async function openMenu(page: Page, id: string): Promise<void> {
  const row = byId(page, id);
  await row.hover();
  await row.getByTestId('message-actions').click();
  await page.getByTestId('message-menu').waitFor();
}

async function seriousViolations(page: Page): Promise<string[]> {
  return (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => v.id);
}

describe.skipIf(browserUnavailable !== null)('pins and saved messages in the browser', { timeout: 120_000 }, () => {
  const suite = browserHarness();

  test('a pin from the menu shows its marker and fills the pinned list on the other member’s screen, live; unpinning takes both away', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const room = await createConversation(suite.h.server, alice.token, { kind: 'channel', name: uniqueName('launch'), visibility: 'public', member_ids: [bob.user.id] });
    const decision = await sendViaApi(suite.h.server, bob.token, room.id, 'Decision: we launch on Tuesday at 10:00');
    await sendViaApi(suite.h.server, bob.token, room.id, 'and the retro is on Friday');
    const a = await signedIn(suite, alice);
    const b = await signedIn(suite, bob);
    await openConversation(a, room.id);
    await openConversation(b, room.id);

    // Bob keeps the pinned list open: nothing yet.
    await b.getByTestId('open-pins').click();
    const list = b.getByTestId('pins-popover');
    await list.getByText('Nothing is pinned here yet').waitFor();

    await openMenu(a, decision.id);
    await expect(a.getByTestId('action-unpin').count()).resolves.toBe(0);
    await a.getByTestId('action-pin').click();
    await expect.poll(() => byId(a, decision.id).getByTestId('pin-marker').innerText()).toContain(`Pinned by ${alice.user.username}`);

    // On Bob's screen, without a reload: the marker on the message and the entry in the open list.
    await expect.poll(() => byId(b, decision.id).getByTestId('pin-marker').innerText()).toContain(`Pinned by ${alice.user.username}`);
    const entry = list.locator(`[data-testid="pinned-item"][data-message-id="${decision.id}"]`);
    await entry.waitFor();
    await expect(entry.innerText()).resolves.toContain('Decision: we launch on Tuesday at 10:00');
    await expect(entry.innerText()).resolves.toContain(`Pinned by ${alice.user.username}`);
    await expect(byId(b, decision.id).getAttribute('class')).resolves.toContain('pinned');
    expect(await seriousViolations(b)).toEqual([]);
    await screenshot(b, 'pins-list');
    // The server agrees.
    const pins = await api<PinsPage>(suite.h.server, 'GET', `/conversations/${room.id}/pins`, undefined, bob.token);
    expect(pins.body.pins.map((p) => [p.message.id, p.pinned_by])).toEqual([[decision.id, alice.user.id]]);

    // Alice unpins from the menu: Bob's marker and list entry go.
    await openMenu(a, decision.id);
    await expect(a.getByTestId('action-pin').count()).resolves.toBe(0);
    await a.getByTestId('action-unpin').click();
    await byId(b, decision.id).getByTestId('pin-marker').waitFor({ state: 'detached' });
    await entry.waitFor({ state: 'detached' });
    await list.getByText('Nothing is pinned here yet').waitFor();
    await expect(byId(a, decision.id).getByTestId('pin-marker').count()).resolves.toBe(0);
  });

  test('a saved message is in the saved list, and picking it opens it in its conversation, far back in the history, highlighted', async () => {
    const carol = await registerUser(suite.h.server, uniqueName('carol'));
    const dan = await registerUser(suite.h.server, uniqueName('dan'));
    const room = await createConversation(suite.h.server, dan.token, { kind: 'channel', name: uniqueName('ops'), visibility: 'public', member_ids: [carol.user.id] });
    const other = await createConversation(suite.h.server, dan.token, { kind: 'channel', name: uniqueName('lobby'), visibility: 'public', member_ids: [carol.user.id] });
    const keep = await sendViaApi(suite.h.server, dan.token, room.id, 'The restore runbook: stop the writers, then restore the snapshot');
    const c = await signedIn(suite, carol);
    await openConversation(c, room.id);

    await openMenu(c, keep.id);
    await c.getByTestId('action-save').click();
    await c.getByText('Saved: find it under Saved messages').waitFor();
    const saved = await api<SavedPage>(suite.h.server, 'GET', '/me/saved', undefined, carol.token);
    expect(saved.body.saved.map((s) => s.message.id)).toEqual([keep.id]);
    // The menu knows it is saved now.
    await openMenu(c, keep.id);
    await expect(c.getByTestId('action-unsave').count()).resolves.toBe(1);
    await c.keyboard.press('Escape');

    // Buried under two hundred newer messages, and Carol elsewhere.
    for (let i = 1; i <= 200; i++) await sendViaApi(suite.h.server, dan.token, room.id, `later chatter ${i}`);
    await openConversation(c, other.id);

    await c.getByTestId('open-saved').click();
    const panel = c.getByTestId('saved-panel');
    const item = panel.locator(`[data-testid="saved-item"][data-message-id="${keep.id}"]`);
    await item.waitFor();
    await expect(item.innerText()).resolves.toContain('The restore runbook');
    await expect(item.innerText()).resolves.toContain(`in #${room.name}`);
    expect(await seriousViolations(c)).toEqual([]);
    await screenshot(c, 'saved-messages');
    await item.click();
    await c.waitForURL(`**/c/${room.id}/${keep.id}`);
    await panel.waitFor({ state: 'detached' });
    const row = byId(c, keep.id);
    await row.waitFor();
    await expect.poll(() => row.getAttribute('class')).toContain('highlighted');
    await expect
      .poll(async () => {
        const [r, list] = await Promise.all([row.boundingBox(), c.getByTestId('message-list').boundingBox()]);
        return !!r && !!list && r.y >= list.y && r.y + r.height <= list.y + list.height;
      })
      .toBe(true);

    // Unsaved from the list; another device of hers (the API) sees it gone.
    await c.getByTestId('open-saved').click();
    await panel.getByTestId('saved-remove').click();
    await panel.getByText('Nothing saved yet').waitFor();
    await expect.poll(async () => (await api<SavedPage>(suite.h.server, 'GET', '/me/saved', undefined, carol.token)).body.saved.length).toBe(0);
  });
});
