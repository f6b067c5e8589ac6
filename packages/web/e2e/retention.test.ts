/**
 * Retention in the browser: an owner sets the workspace's retention (a preset, then a custom
 * number of days) in Settings and a channel's own in its details; a member with the channel open
 * sees the messages the sweep erased leave the timeline live, and newer ones stay.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { api, createConversation, registerUser } from '@parley/server/testing';
import type { Conversation, WorkspaceSettings } from '@parley/protocol';
import { announceSkip, browserHarness, browserUnavailable, messagesWithText, openConversation, runAxe, screenshot, sendViaApi, signedIn, uniqueName } from './support.js';

announceSkip();

async function seriousViolations(page: Page): Promise<string[]> {
  return (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id}: ${v.help}`);
}

describe.skipIf(browserUnavailable !== null)('retention in the browser', { timeout: 120_000 }, () => {
  const suite = browserHarness();

  test('an owner sets the workspace and a channel retention; a member’s open timeline drops what the sweep erased, live', async () => {
    const { server } = suite.h;
    const owner = await registerUser(server, uniqueName('owner')); // the first account: the workspace owner
    const alice = await registerUser(server, uniqueName('alice'));
    const room = await createConversation(server, owner.token, { kind: 'channel', name: uniqueName('ops'), visibility: 'public', member_ids: [alice.user.id] });
    const old = await sendViaApi(server, alice.token, room.id, 'an old note that expires');
    await sendViaApi(server, alice.token, room.id, 'a fresh note that stays');
    const o = await signedIn(suite, owner);
    const a = await signedIn(suite, alice);
    await openConversation(a, room.id);
    await messagesWithText(a, 'an old note').waitFor();

    // Workspace: a preset, then a custom number of days.
    const settings = async () => (await api<WorkspaceSettings>(server, 'GET', '/admin/settings', undefined, owner.token)).body.retention_days;
    await o.getByTestId('settings-open').click();
    const select = o.getByTestId('retention');
    await expect.poll(() => select.isEnabled()).toBe(true);
    expect(await select.inputValue()).toBe('none');
    await select.selectOption('90');
    await expect.poll(settings).toBe(90);
    await expect.poll(() => select.isEnabled()).toBe(true);
    await select.selectOption('custom');
    await o.getByTestId('retention-days').fill('45');
    await o.getByTestId('retention-apply').click();
    await expect.poll(settings).toBe(45);
    await expect.poll(() => select.inputValue()).toBe('45');
    expect(await seriousViolations(o)).toEqual([]);
    await select.scrollIntoViewIfNeeded();
    await screenshot(o, 'retention-workspace');

    // The channel's own, from its details.
    await o.goto(`/c/${room.id}`);
    await o.getByTestId('message-list').waitFor();
    await o.getByTestId('open-details').click();
    await o.getByTestId('details-tab-settings').click();
    const own = o.getByTestId('settings-retention');
    await own.waitFor();
    expect(await own.inputValue()).toBe('none');
    await own.selectOption('30');
    await expect.poll(async () => (await api<Conversation>(server, 'GET', `/conversations/${room.id}`, undefined, owner.token)).body.retention_days).toBe(30);
    expect(await seriousViolations(o)).toEqual([]);
    // The member whose conversation is open is told in the timeline, at once.
    await expect.poll(() => a.getByTestId('notice-line').allInnerTexts()).toContain(`${owner.user.display_name} set messages here to be erased after 30 days`);
    // A plain member has no such control.
    await a.getByTestId('open-details').click();
    await a.getByTestId('details-tab-settings').click();
    await a.getByTestId('details-settings').waitFor();
    expect(await a.getByTestId('settings-retention').count()).toBe(0);

    // The first message is sent 40 days ago; the sweep erases it, and it leaves alice's screen.
    const { db } = server.parley.services.deps;
    await db
      .updateTable('messages')
      .set((eb) => ({ created_at: eb('created_at', '-', 40 * 86_400_000) }))
      .where('id', '=', old.id)
      .execute();
    expect(await server.parley.services.messages.retention.sweep()).toBe(1);
    await expect.poll(() => messagesWithText(a, 'an old note').count()).toBe(0);
    expect(await messagesWithText(a, 'a fresh note that stays').count()).toBe(1);
    await screenshot(a, 'retention-after-sweep');
  });
});
