import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { Conversation, Message } from '@parley/protocol';
import { api, createConversation, registerUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, historyViaApi, messagesWithText, openConversation, runAxe, screenshot, sendViaApi, signedIn, uniqueName } from './support.js';

announceSkip();

async function seriousViolations(page: Page): Promise<string[]> {
  return (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ')}`);
}

const picker = (page: Page) => page.getByTestId('emoji-picker');
const option = (page: Page, emoji: string) => picker(page).locator(`[data-testid="emoji-option"][data-emoji="${emoji}"]`);
const composerText = (page: Page) => page.getByTestId('composer-input').inputValue();

async function openComposerPicker(page: Page): Promise<void> {
  await page.getByTestId('composer-emoji').click();
  await picker(page).getByTestId('emoji-option').first().waitFor();
  await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('emoji-search');
}

describe.skipIf(browserUnavailable !== null)('the emoji picker, :shortcodes: and keyboard shortcuts in the browser', { timeout: 150_000 }, () => {
  const suite = browserHarness();

  test('from the composer: search, pick with the keyboard, a skin tone that is remembered, and a recent list', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const room = await createConversation(suite.h.server, alice.token, { kind: 'channel', name: uniqueName('launch'), visibility: 'public', member_ids: [] });
    const a = await signedIn(suite, alice);
    await openConversation(a, room.id);
    await a.getByTestId('composer-input').fill('Launch ');

    await openComposerPicker(a);
    // Categories are shown before anything is typed.
    await expect(picker(a).locator('[data-testid="emoji-section"][data-section="travel"]').count()).resolves.toBe(1);
    await a.keyboard.type('rocket');
    await expect.poll(() => picker(a).locator('[data-testid="emoji-option"][aria-selected="true"]').getAttribute('data-emoji')).toBe('🚀');
    expect(await seriousViolations(a)).toEqual([]);
    await screenshot(a, 'emoji-picker-search');
    // Arrows move the highlight; Enter picks; the emoji goes in at the caret and the picker closes.
    await a.keyboard.press('ArrowRight');
    await a.keyboard.press('ArrowLeft');
    await a.keyboard.press('Enter');
    await picker(a).waitFor({ state: 'detached' });
    await expect.poll(() => composerText(a)).toBe('Launch 🚀');

    // A skin tone, chosen once, applies to what is picked next and stays after a reload.
    await openComposerPicker(a);
    await picker(a).locator('[data-testid="emoji-tone"][data-tone="3"]').click();
    await a.getByTestId('emoji-search').fill('wave');
    await expect.poll(() => picker(a).locator('[data-testid="emoji-option"][aria-selected="true"]').getAttribute('data-emoji')).toBe('👋🏽');
    await a.getByTestId('emoji-search').press('Enter');
    await expect.poll(() => composerText(a)).toBe('Launch 🚀👋🏽');

    await a.reload();
    await a.getByTestId('composer-input').waitFor();
    await openComposerPicker(a);
    await expect(picker(a).locator('[data-testid="emoji-tone"][data-tone="3"]').getAttribute('aria-checked')).resolves.toBe('true');
    const recent = picker(a).locator('[data-testid="emoji-section"][data-section="recent"] [data-testid="emoji-option"]');
    await expect.poll(async () => recent.evaluateAll((els) => els.map((e) => e.getAttribute('data-emoji')))).toEqual(['👋🏽', '🚀']);
    expect(await seriousViolations(a)).toEqual([]);
    await screenshot(a, 'emoji-picker');
    // Escape closes it and the page is as it was.
    await a.keyboard.press('Escape');
    await picker(a).waitFor({ state: 'detached' });
  });

  test('a reaction from the full set, beyond the quick ones, shows on the other member’s screen live', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const room = await createConversation(suite.h.server, alice.token, { kind: 'channel', name: uniqueName('zoo'), visibility: 'public', member_ids: [bob.user.id] });
    const msg = await sendViaApi(suite.h.server, bob.token, room.id, 'the penguins have landed');
    const a = await signedIn(suite, alice);
    const b = await signedIn(suite, bob);
    await openConversation(a, room.id);
    await openConversation(b, room.id);

    const row = a.locator(`[data-testid="message"][data-message-id="${msg.id}"]`);
    await row.hover();
    await row.getByTestId('message-actions').click();
    await a.getByTestId('action-react').click();
    await picker(a).getByTestId('emoji-option').first().waitFor();
    await a.getByTestId('emoji-search').fill('penguin');
    await option(a, '🐧').waitFor();
    await a.getByTestId('emoji-search').press('Enter');
    await picker(a).waitFor({ state: 'detached' });

    await b.locator(`[data-testid="message"][data-message-id="${msg.id}"] [data-testid="reaction"][data-emoji="🐧"]`).waitFor();
    await expect
      .poll(async () => (await api<Message>(suite.h.server, 'GET', `/messages/${msg.id}`, undefined, bob.token)).body.reactions.map((r) => [r.emoji, r.user_ids]))
      .toEqual([['🐧', [alice.user.id]]]);
  });

  test('`:tad` completes to 🎉, and `:tada:` from another client renders as 🎉 except inside code', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const room = await createConversation(suite.h.server, alice.token, { kind: 'channel', name: uniqueName('party'), visibility: 'public', member_ids: [bob.user.id] });
    const a = await signedIn(suite, alice);
    await openConversation(a, room.id);

    const input = a.getByTestId('composer-input');
    await input.click();
    await a.keyboard.type('shipped :tad');
    const first = a.getByTestId('emoji-suggestion').first();
    await expect.poll(() => first.getAttribute('data-shortcode')).toBe('tada');
    await expect(input.getAttribute('aria-expanded')).resolves.toBe('true');
    expect(await seriousViolations(a)).toEqual([]);
    await a.keyboard.press('Tab');
    await expect.poll(() => composerText(a)).toBe('shipped 🎉');
    await a.getByTestId('emoji-suggestions').waitFor({ state: 'detached' });
    await a.keyboard.press('Enter');
    await expect.poll(async () => (await historyViaApi(suite.h.server, alice.token, room.id)).map((m) => m.body)).toEqual(['shipped 🎉']);

    // As the CLI sends it: shortcodes as typed. One known at once, one only in the full set.
    await sendViaApi(suite.h.server, bob.token, room.id, 'release out :tada: :penguin: but `:tada:` is code');
    const body = messagesWithText(a, 'release out').getByTestId('message-body');
    await expect.poll(() => body.innerText()).toContain('release out 🎉 🐧 but :tada: is code');
    await expect(body.locator('code').innerText()).resolves.toBe(':tada:');
  });

  test('Ctrl+/ lists the shortcuts; Alt+↓ goes to the next conversation; Esc marks the conversation read on the server', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const first = await createConversation(suite.h.server, bob.token, { kind: 'channel', name: uniqueName('aa'), visibility: 'public', member_ids: [alice.user.id] });
    await createConversation(suite.h.server, bob.token, { kind: 'channel', name: uniqueName('bb'), visibility: 'public', member_ids: [alice.user.id] });
    for (let i = 1; i <= 60; i++) await sendViaApi(suite.h.server, bob.token, first.id, `status line ${i}`);
    const a = await signedIn(suite, alice);
    await openConversation(a, first.id);

    await a.keyboard.press('Control+/');
    const sheet = a.getByTestId('shortcuts-sheet');
    await sheet.waitFor();
    await expect(sheet.locator('[data-shortcut="nextConv"] [data-keys="Alt+↓"]').count()).resolves.toBe(1);
    await expect(sheet.locator('[data-shortcut="nextConv"]').innerText()).resolves.toContain('Next conversation');
    await expect(sheet.locator('[data-shortcut="switcher"] [data-keys="Ctrl+K"]').count()).resolves.toBe(1);
    expect(await seriousViolations(a)).toEqual([]);
    await screenshot(a, 'shortcuts-sheet');
    await a.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    // Settings lead to the same sheet.
    await a.getByTestId('settings-open').click();
    await a.getByTestId('open-shortcuts').click();
    await sheet.locator('[data-shortcut="nextUnread"]').waitFor();
    await a.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });

    // Alt+↓ and Alt+↑ follow the sidebar's order, whatever else is in it.
    const order = await a.getByTestId('conv-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-conv-id')));
    const next = order[order.indexOf(first.id) + 1]!;
    await a.keyboard.press('Alt+ArrowDown');
    await a.waitForURL(`**/c/${next}`);
    await a.keyboard.press('Alt+ArrowUp');
    await a.waitForURL(`**/c/${first.id}`);
    await a.getByTestId('message-list').waitFor();

    // Scrolled up, away from the newest messages, they stay unread; Escape marks them read.
    const readSeq = async () => (await api<Conversation>(suite.h.server, 'GET', `/conversations/${first.id}`, undefined, alice.token)).body.membership?.read_seq ?? 0;
    const list = a.getByTestId('message-list');
    await list.getByTestId('message').first().waitFor();
    await list.evaluate((el) => el.scrollTo({ top: 0 }));
    await expect.poll(() => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeGreaterThan(200);
    const late = await sendViaApi(suite.h.server, bob.token, first.id, 'one more while you were reading above');
    await expect.poll(() => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeGreaterThan(200);
    expect(await readSeq()).toBeLessThan(late.seq);
    await a.keyboard.press('Escape');
    await expect.poll(readSeq).toBeGreaterThanOrEqual(late.seq);
  });
});
