/**
 * The conversation details panel, channel settings and a message's edit history in the browser:
 * members added, promoted and removed from the panel reach the other members' screens live, as do
 * a rename, a topic and a purpose; a plain member sees no admin control; the server's refusal is
 * shown in its own words; a private `since_join` channel made in the dialog keeps its earlier
 * history from a member added later; and the edit history opens from the menu and the marker.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { api, createConversation, registerUser } from '@parley/server/testing';
import type { Conversation, Member, Message } from '@parley/protocol';
import { announceSkip, browserHarness, browserUnavailable, convIdFromUrl, historyViaApi, openConversation, runAxe, screenshot, sendViaApi, signedIn, uniqueName } from './support.js';

announceSkip();

const convItem = (page: Page, convId: string) => page.locator(`[data-testid="conv-item"][data-conv-id="${convId}"]`);
const memberRow = (page: Page, username: string) => page.locator(`[data-testid="member-row"][data-username="${username}"]`);
const byId = (page: Page, id: string) => page.locator(`[data-testid="message"][data-message-id="${id}"]`);

async function seriousViolations(page: Page): Promise<string[]> {
  return (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id}: ${v.help}`);
}

async function openDetails(page: Page, tab: 'about' | 'members' | 'pins' | 'settings'): Promise<void> {
  if (!(await page.getByTestId('details-panel').isVisible())) await page.getByTestId('open-details').click();
  await page.getByTestId(`details-tab-${tab}`).click();
  await page.getByTestId(`details-${tab}`).waitFor();
}

async function openMenu(page: Page, id: string): Promise<void> {
  const row = byId(page, id);
  await row.hover();
  await row.getByTestId('message-actions').click();
  await page.getByTestId('message-menu').waitFor();
}

describe.skipIf(browserUnavailable !== null)('conversation details in the browser', { timeout: 180_000 }, () => {
  const suite = browserHarness();

  test('the owner adds, promotes and removes members and renames the channel from the panel; the others see each change live', async () => {
    const { server } = suite.h;
    const alice = await registerUser(server, uniqueName('alice'));
    const bob = await registerUser(server, uniqueName('bob'));
    const carol = await registerUser(server, uniqueName('carol'));
    const room = await createConversation(server, alice.token, { kind: 'channel', name: uniqueName('crew'), visibility: 'private', member_ids: [bob.user.id] });
    const taken = await createConversation(server, carol.token, { kind: 'channel', name: uniqueName('taken'), visibility: 'public' });
    const [a, b, c] = [await signedIn(suite, alice), await signedIn(suite, bob), await signedIn(suite, carol)];
    await openConversation(a, room.id);
    await openConversation(b, room.id);
    await expect(convItem(c, room.id).count()).resolves.toBe(0);

    // About: what it is and who made it.
    await openDetails(a, 'about');
    await expect(a.getByTestId('details-name').innerText()).resolves.toBe(`#${room.name}`);
    await expect(a.getByTestId('details-about').innerText()).resolves.toContain('Private channel');
    await expect(a.getByTestId('details-created').innerText()).resolves.toContain(alice.user.username);

    // Members: both, with a filter.
    await openDetails(a, 'members');
    await memberRow(a, bob.user.username).waitFor();
    await memberRow(a, alice.user.username).waitFor();
    await a.getByTestId('members-filter').fill(bob.user.username);
    await expect.poll(() => a.getByTestId('member-row').count()).toBe(1);
    await a.getByTestId('members-filter').fill('');

    // Bob keeps his members list open while Alice works.
    await openDetails(b, 'members');
    await memberRow(b, alice.user.username).waitFor();

    // Add Carol: her sidebar gets the channel without a reload; Bob's list and count follow.
    await a.getByTestId('members-add').click();
    await a.getByTestId('user-search').fill(carol.user.username);
    await a.locator(`[data-testid="user-option"][data-username="${carol.user.username}"]`).click();
    await convItem(c, room.id).waitFor();
    await memberRow(a, carol.user.username).waitFor();
    await memberRow(b, carol.user.username).waitFor();
    await expect.poll(() => b.getByTestId('member-count').innerText()).toContain('3');
    await a.getByTestId('members-add').click();

    // Make her an admin: Bob's list shows the badge, live.
    await memberRow(a, carol.user.username).getByTestId('member-role').selectOption('admin');
    await expect
      .poll(() =>
        memberRow(b, carol.user.username)
          .getByTestId('member-role-badge')
          .innerText()
          .catch(() => ''),
      )
      .toBe('Admin');
    const roles = await api<{ members: Member[] }>(server, 'GET', `/conversations/${room.id}/members`, undefined, alice.token);
    expect(roles.body.members.find((m) => m.user.id === carol.user.id)?.role).toBe('admin');

    // A plain member sees no admin control: no role menus, no Remove, no rename or archive.
    await expect(b.getByTestId('member-role').count()).resolves.toBe(0);
    await expect(b.getByTestId('member-remove').count()).resolves.toBe(0);
    await openDetails(b, 'settings');
    await b.getByTestId('settings-topic').waitFor();
    for (const id of ['settings-name', 'settings-archive', 'settings-history-full', 'settings-history-since_join']) await expect(b.getByTestId(id).count()).resolves.toBe(0);
    await openDetails(b, 'members');

    expect(await seriousViolations(a)).toEqual([]);
    await screenshot(a, 'details-members');

    // Remove her: the channel leaves her sidebar and Bob's list.
    await memberRow(a, carol.user.username).getByTestId('member-remove').click();
    await a.getByTestId('member-remove-confirm').click();
    await convItem(c, room.id).waitFor({ state: 'detached' });
    await memberRow(b, carol.user.username).waitFor({ state: 'detached' });
    await memberRow(a, carol.user.username).waitFor({ state: 'detached' });

    // Rename, topic and purpose in one save: both headers show them, Bob's without a reload.
    await openDetails(a, 'settings');
    const renamed = uniqueName('renamed');
    await a.getByTestId('settings-name').fill(renamed);
    await a.getByTestId('settings-topic').fill('Ship the beta by Friday');
    await a.getByTestId('settings-purpose').fill('Where the launch crew decides things');
    await a.getByTestId('settings-save').click();
    for (const page of [a, b]) {
      const header = page.getByTestId('conversation-header');
      await expect.poll(() => header.locator('.conv-title').innerText()).toBe(renamed);
      await expect.poll(() => header.getByTestId('conv-topic').innerText()).toContain('Ship the beta by Friday');
      await expect.poll(() => header.getByTestId('conv-purpose').innerText()).toContain('Where the launch crew decides things');
    }
    await openDetails(b, 'about');
    await expect.poll(() => b.getByTestId('details-purpose').innerText()).toBe('Where the launch crew decides things');
    expect(await seriousViolations(a)).toEqual([]);
    await screenshot(a, 'details-settings');

    // The server refuses a name another channel has: its words, in the panel.
    await a.getByTestId('settings-name').fill(taken.name!);
    await a.getByTestId('settings-save').click();
    await expect.poll(() => a.getByTestId('settings-error').innerText()).toContain(`A channel named "${taken.name}" already exists.`);
    await a.getByTestId('settings-name').fill(renamed);

    // Archive: read-only for Bob at once.
    await a.getByTestId('settings-archive').click();
    await a.getByTestId('settings-archive-confirm').click();
    await b.getByText('This conversation is archived.').first().waitFor();
    await expect.poll(() => b.getByTestId('composer-input').count()).toBe(0);
    await a.getByTestId('settings-unarchive').waitFor();
    const now = await api<Conversation>(server, 'GET', `/conversations/${room.id}`, undefined, bob.token);
    expect(now.body).toMatchObject({ name: renamed, topic: 'Ship the beta by Friday', purpose: 'Where the launch crew decides things', archived: true });
  });

  test('a private since_join channel made in the dialog: a member added later cannot load what came before', async () => {
    const { server } = suite.h;
    const erin = await registerUser(server, uniqueName('erin'));
    const frank = await registerUser(server, uniqueName('frank'));
    const e = await signedIn(suite, erin);
    await e.getByTestId('new-channel').click();
    const name = uniqueName('secret');
    await e.getByTestId('channel-name').fill(name);
    await e.getByTestId('channel-private').check();
    await e.getByTestId('channel-history-since_join').check();
    expect(await seriousViolations(e)).toEqual([]);
    await e.getByTestId('dialog-submit').click();
    await e.waitForURL('**/c/*');
    const convId = convIdFromUrl(e)!;
    const made = await api<Conversation>(server, 'GET', `/conversations/${convId}`, undefined, erin.token);
    expect(made.body).toMatchObject({ name, visibility: 'private', history_visibility: 'since_join' });
    await openDetails(e, 'about');
    await expect(e.getByTestId('details-history').innerText()).resolves.toBe('People added later see messages from when they join');

    const early = await sendViaApi(server, erin.token, convId, 'before frank: the old plan');
    await byId(e, early.id).waitFor();
    await openDetails(e, 'members');
    await e.getByTestId('members-add').click();
    await e.getByTestId('user-search').fill(frank.user.username);
    await e.locator(`[data-testid="user-option"][data-username="${frank.user.username}"]`).click();
    await memberRow(e, frank.user.username).waitFor();
    const late = await sendViaApi(server, erin.token, convId, 'after frank joined');

    const f = await signedIn(suite, frank);
    await openConversation(f, convId);
    await byId(f, late.id).waitFor();
    await expect(byId(f, early.id).count()).resolves.toBe(0);
    await expect(f.getByText('before frank: the old plan').count()).resolves.toBe(0);
    expect((await historyViaApi(server, frank.token, convId)).map((m) => m.id)).toEqual([late.id]);
  });

  test('the edit history opens from the menu and the "(edited)" marker for the sender; another member is not offered it; on a phone the panel takes the screen', async () => {
    const { server } = suite.h;
    const gina = await registerUser(server, uniqueName('gina'));
    const hal = await registerUser(server, uniqueName('hal'));
    const room = await createConversation(server, gina.token, { kind: 'channel', name: uniqueName('notes'), visibility: 'public', member_ids: [hal.user.id] });
    const msg = await sendViaApi(server, gina.token, room.id, 'The meeting is on **Monday**');
    for (const body of ['The meeting is on **Tuesday**', 'The meeting is on **Wednesday** at 10:00']) {
      expect((await api<Message>(server, 'PATCH', `/messages/${msg.id}`, { body }, gina.token)).status).toBe(200);
    }
    const g = await signedIn(suite, gina);
    await openConversation(g, room.id);
    await byId(g, msg.id).getByTestId('edited-marker').waitFor();

    await openMenu(g, msg.id);
    await g.getByTestId('action-edit-history').click();
    const versions = g.getByTestId('edit-version');
    await expect.poll(() => versions.count()).toBe(3);
    await expect(versions.nth(0).innerText()).resolves.toContain('Wednesday at 10:00');
    await expect(versions.nth(1).innerText()).resolves.toContain('Tuesday');
    await expect(versions.nth(2).innerText()).resolves.toContain('Monday');
    await expect(versions.nth(2).innerText()).resolves.toContain('Original');
    // Rendered as messages are: the Markdown's bold is bold.
    await expect(versions.nth(2).locator('strong').innerText()).resolves.toBe('Monday');
    expect(await seriousViolations(g)).toEqual([]);
    await screenshot(g, 'edit-history');
    await g.keyboard.press('Escape');
    await g.getByTestId('edit-versions').waitFor({ state: 'detached' });
    await byId(g, msg.id).getByTestId('edited-marker').click();
    await expect.poll(() => g.getByTestId('edit-version').count()).toBe(3);
    await g.keyboard.press('Escape');

    // Hal neither wrote it nor administers the channel: the server would refuse him, so nothing is offered.
    const h = await signedIn(suite, hal);
    await openConversation(h, room.id);
    await byId(h, msg.id).getByText('(edited)').waitFor();
    await expect(byId(h, msg.id).getByTestId('edited-marker').count()).resolves.toBe(0);
    await openMenu(h, msg.id);
    await expect(h.getByTestId('action-edit-history').count()).resolves.toBe(0);
    expect((await api(server, 'GET', `/messages/${msg.id}/edits`, undefined, hal.token)).status).toBe(403);
    await h.keyboard.press('Escape');

    // A phone: the panel covers the conversation; closing it brings the conversation back.
    await h.setViewportSize({ width: 375, height: 812 });
    await h.getByTestId('open-details').click();
    const panel = h.getByTestId('details-panel');
    await expect.poll(async () => (await panel.boundingBox())?.width).toBe(375);
    await openDetails(h, 'members');
    await memberRow(h, gina.user.username).waitFor();
    expect(await seriousViolations(h)).toEqual([]);
    await screenshot(h, 'details-phone');
    await h.getByTestId('details-close').click();
    await panel.waitFor({ state: 'detached' });
  });
});
