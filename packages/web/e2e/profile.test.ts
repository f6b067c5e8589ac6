import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import sharp from 'sharp';
import { api, createConversation, registerUser } from '@parley/server/testing';
import { ownAvatarUser, type Conversation, type User } from '@parley/protocol';
import { announceSkip, browserHarness, browserUnavailable, openConversation, runAxe, screenshot, sendViaApi, signedIn, uniqueName } from './support.js';

announceSkip();

async function seriousViolations(page: Page): Promise<string[]> {
  return (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id}: ${v.nodes?.map((n) => n.target.join(' ')).join(', ') ?? ''}`);
}

/** A 300×200 picture: orange on the left, teal on the right. */
const picture = () =>
  sharp({ create: { width: 300, height: 200, channels: 3, background: '#e8711c' } })
    .composite([{ input: { create: { width: 150, height: 200, channels: 3, background: '#138a8a' } }, left: 150, top: 0 }])
    .png()
    .toBuffer();

describe.skipIf(browserUnavailable !== null)('profiles in the browser', { timeout: 180_000 }, () => {
  const suite = browserHarness();

  test('name, status and picture set in Settings reach the other user live; the profile card shows them with the local time, and "Message" opens the DM', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const room = await createConversation(suite.h.server, alice.token, { kind: 'channel', name: uniqueName('team'), visibility: 'public', member_ids: [bob.user.id] });
    const hello = await sendViaApi(suite.h.server, alice.token, room.id, 'Morning, all');
    const a = await signedIn(suite, alice);
    const b = await signedIn(suite, bob);
    await openConversation(b, room.id);
    const row = b.locator(`[data-testid="message"][data-message-id="${hello.id}"]`);
    await row.waitFor();

    // Alice: Settings › Profile.
    await a.getByTestId('settings-open').click();
    const section = a.getByTestId('profile-section');
    await section.getByTestId('profile-name').fill('Alice Liddell');
    await section.getByTestId('status-emoji-lunch').click();
    await expect(section.getByTestId('profile-status').inputValue()).resolves.toBe('Out for lunch');
    await section.getByTestId('profile-status').fill('Lunch by the river');
    await section.getByTestId('profile-expiry').selectOption('1h');
    await section.getByTestId('profile-tz').fill('Asia/Tokyo');
    await section.getByTestId('profile-save').click();
    await section.getByTestId('profile-saved').waitFor();

    // The picture: pick, move the crop with the keyboard, zoom with the slider, save.
    await section.getByTestId('avatar-file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await picture() });
    const crop = section.getByTestId('avatar-crop');
    await crop.waitFor();
    await expect(crop.getAttribute('data-crop')).resolves.toBe('50,0,200');
    await crop.focus();
    for (let i = 0; i < 6; i++) await a.keyboard.press('ArrowRight');
    await expect.poll(() => crop.getAttribute('data-crop')).toBe('100,0,200');
    await section.getByTestId('avatar-zoom').fill('2');
    await expect.poll(() => crop.getAttribute('data-crop')).toBe('150,50,100');
    await section.scrollIntoViewIfNeeded();
    expect(await seriousViolations(a)).toEqual([]);
    await screenshot(a, 'profile-settings-crop');
    await section.getByTestId('avatar-save').click();
    await section.getByTestId('avatar-note').waitFor();
    await section.getByTestId('avatar-editor').locator('[data-testid="avatar-image"]').waitFor();

    const me = (await api<User>(suite.h.server, 'GET', '/me', undefined, alice.token)).body;
    expect(me).toMatchObject({ display_name: 'Alice Liddell', status_text: 'Lunch by the river', status_emoji: '🍽️', time_zone: 'Asia/Tokyo' });
    expect(Date.parse(me.status_expires_at!) - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(ownAvatarUser(me.avatar_url)).toBe(alice.user.id);
    expect(await seriousViolations(a)).toEqual([]);
    await screenshot(a, 'profile-settings');

    // Bob's screen, without a reload: the new name and the picture (an object URL, loaded).
    await expect.poll(() => row.locator('.sender').innerText()).toBe('Alice Liddell');
    const img = row.getByTestId('avatar-image');
    await img.waitFor();
    await expect(img.getAttribute('src')).resolves.toMatch(/^blob:/);
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(256);

    // The profile card, from the name.
    await row.locator('.sender').click();
    const card = b.getByTestId('profile-card');
    await card.waitFor();
    await expect(card.getByTestId('profile-card-name').innerText()).resolves.toBe('Alice Liddell');
    await expect(card.innerText()).resolves.toContain(`@${alice.user.username}`);
    await expect(card.getByTestId('profile-card-status').innerText()).resolves.toBe('🍽️ Lunch by the river');
    const tokyo = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Tokyo', hour: 'numeric', minute: '2-digit' });
    const before = tokyo.format(new Date());
    const shown = await card.getByTestId('profile-card-time').innerText();
    expect([`${before} local time`, `${tokyo.format(new Date())} local time`]).toContain(shown.replace(/\u202f/g, ' ').replace(/\s+/g, ' '));
    await expect.poll(() => card.getByTestId('profile-card-presence').innerText()).toMatch(/online|away/);
    // The workspace role (the first account of a fresh server is its owner).
    const roleName = { owner: 'Workspace owner', admin: 'Workspace admin', member: 'Member', guest: 'Guest' }[alice.user.role];
    await expect(card.getByTestId('profile-card-role').innerText()).resolves.toBe(roleName);
    await card.locator('[data-testid="avatar-image"]').waitFor();
    expect(await seriousViolations(b)).toEqual([]);
    await screenshot(b, 'profile-card');

    // "Message" opens the DM with Alice (the one the server has for the pair).
    await card.getByTestId('profile-card-message').click();
    // Away from the channel it was on (the URL matched a conversation already before the click).
    await b.waitForURL((u) => /^\/c\/[0-9A-Z]{26}$/.test(u.pathname) && !u.pathname.endsWith(room.id));
    const dm = (await api<Conversation>(suite.h.server, 'POST', '/conversations', { kind: 'dm', user_id: alice.user.id }, bob.token)).body;
    expect(b.url()).toMatch(new RegExp(`/c/${dm.id}$`));
    await b.getByTestId('message-list').waitFor();
    // The DM row in the sidebar shows her status emoji.
    await expect.poll(() => b.locator(`[data-testid="conv-item"][data-conv-id="${dm.id}"] [data-testid="status-emoji"]`).innerText()).toBe('🍽️');

    // Alice clears her status: Bob's sidebar loses the emoji, live.
    await section.getByTestId('profile-clear-status').click();
    await b.locator(`[data-testid="conv-item"][data-conv-id="${dm.id}"] [data-testid="status-emoji"]`).waitFor({ state: 'detached' });
  });
});
