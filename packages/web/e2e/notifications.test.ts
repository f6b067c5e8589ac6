/**
 * Notifications in the browser: Do Not Disturb with an end time (shown, kept over a reload,
 * silencing a DM until it is turned off), sounds, per-conversation levels from the header menu
 * (synced to a second tab, silencing what they say), and the service worker's Web Push handler
 * (a push delivered through the DevTools protocol becomes a notification; a burn message's says
 * only that it burns). Desktop notifications are recorded by a stand-in for `Notification` (a
 * headless browser shows none), and the page is told it is hidden as a background tab is.
 */
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { NotificationSettings, PushPayload } from '@parley/protocol';
import { api, createConversation, registerUser, type TestUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, loginInUi, openConversation, runAxe, screenshot, sendViaApi, uniqueName } from './support.js';

announceSkip();

interface Recorded {
  title: string;
  body: string;
  tag: string;
}

/** Runs in the page before the app: a recording Notification (permission granted), a switch for visibility, a chime counter. */
function instrument() {
  const w = window as unknown as { __notes: Recorded[]; __chimes: number; __setHidden(h: boolean): void };
  w.__notes = [];
  w.__chimes = 0;
  class RecordingNotification {
    static permission = 'granted';
    static requestPermission() {
      return Promise.resolve('granted');
    }
    onclick: (() => void) | null = null;
    constructor(title: string, opts: { body?: string; tag?: string } = {}) {
      w.__notes.push({ title, body: opts.body ?? '', tag: opts.tag ?? '' });
    }
    close() {}
  }
  Object.defineProperty(window, 'Notification', { value: RecordingNotification, configurable: true, writable: true });
  let hidden = false;
  w.__setHidden = (h) => {
    hidden = h;
    document.dispatchEvent(new Event('visibilitychange'));
  };
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  const createGain = AudioContext.prototype.createGain;
  AudioContext.prototype.createGain = function (this: AudioContext) {
    w.__chimes++;
    return createGain.call(this);
  };
}

const notes = (page: Page) => page.evaluate(() => (window as unknown as { __notes: Recorded[] }).__notes);
const chimes = (page: Page) => page.evaluate(() => (window as unknown as { __chimes: number }).__chimes);
const setHidden = (page: Page, hidden: boolean) => page.evaluate((h) => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(h), hidden);
const unread = (page: Page, convId: string) => page.locator(`[data-testid="conv-item"][data-conv-id="${convId}"]`).getAttribute('data-unread');

describe.skipIf(browserUnavailable !== null)('notifications in the browser', { timeout: 120_000 }, () => {
  const suite = browserHarness();

  /** A tracked page of `u`, instrumented, signed in; `context` opens more tabs of the same session. */
  async function instrumentedPage(u: TestUser): Promise<{ context: BrowserContext; page: Page }> {
    const { context, page } = await suite.h.newPage();
    suite.track(page);
    await context.addInitScript(instrument);
    await page.goto('/');
    await loginInUi(page, u.user.username);
    return { context, page };
  }

  test('Do Not Disturb until tomorrow 9:00 shows and survives a reload; a DM during it notifies nobody, one after turning it off does, with a sound unless sounds are off', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const dm = await createConversation(suite.h.server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const { page } = await instrumentedPage(bob);
    await page.locator(`[data-testid="conv-item"][data-conv-id="${dm.id}"]`).waitFor();

    await page.getByTestId('settings-open').click();
    const section = page.getByTestId('notifications-section');
    await section.getByTestId('notifications-toggle').check();
    await expect.poll(() => section.getByTestId('dnd-status').getAttribute('data-on')).toBe('false');
    await section.getByTestId('dnd-tomorrow').click();
    const nineTomorrow = await page.evaluate(() => {
      const d = new Date();
      d.setDate(d.getDate() + 1);
      d.setHours(9, 0, 0, 0);
      return d.toISOString();
    });
    await expect.poll(() => section.getByTestId('dnd-status').getAttribute('data-until')).toBe(nineTomorrow);
    expect((await api<NotificationSettings>(suite.h.server, 'GET', '/me/notifications', undefined, bob.token)).body.dnd_until).toBe(nineTomorrow);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'notifications-settings');
    expect((await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => v.id)).toEqual([]);

    await page.reload();
    await page.getByTestId('sidebar').waitFor();
    await page.getByTestId('settings-open').click();
    await expect.poll(() => section.getByTestId('dnd-status').getAttribute('data-until')).toBe(nineTomorrow);
    await expect.poll(() => section.getByTestId('notifications-toggle').isChecked()).toBe(true);
    await page.keyboard.press('Escape');

    // In the background, during Do Not Disturb: the DM arrives (unread) and notifies nothing.
    await setHidden(page, true);
    await sendViaApi(suite.h.server, alice.token, dm.id, 'are you around?');
    await expect.poll(() => unread(page, dm.id)).toBe('1');
    await page.waitForTimeout(300);
    expect(await notes(page)).toEqual([]);
    expect(await chimes(page)).toBe(0);

    // Turned off: the next DM is a desktop notification, with a chime.
    await setHidden(page, false);
    await page.getByTestId('settings-open').click();
    await section.getByTestId('dnd-off').click();
    await expect.poll(() => section.getByTestId('dnd-status').getAttribute('data-on')).toBe('false');
    await setHidden(page, true);
    await sendViaApi(suite.h.server, alice.token, dm.id, 'lunch at noon?');
    await expect.poll(() => notes(page)).toEqual([{ title: alice.user.display_name, body: 'lunch at noon?', tag: `parley-${dm.id}` }]);
    expect(await chimes(page)).toBe(1);

    // Sounds off: still a notification, no chime (and the setting is the server's).
    await setHidden(page, false);
    await section.getByTestId('sounds-toggle').uncheck();
    await expect.poll(async () => (await api<NotificationSettings>(suite.h.server, 'GET', '/me/notifications', undefined, bob.token)).body.sounds).toBe(false);
    await setHidden(page, true);
    await sendViaApi(suite.h.server, alice.token, dm.id, 'never mind');
    await expect.poll(async () => (await notes(page)).length).toBe(2);
    expect(await chimes(page)).toBe(1);
  });

  test('levels from the header menu reach a second tab at once; `nothing` silences a mention, `mentions` a plain message but not a mention', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const room = await createConversation(suite.h.server, alice.token, { kind: 'channel', name: uniqueName('ops'), visibility: 'private', member_ids: [bob.user.id] });
    const { context, page: first } = await instrumentedPage(bob);
    await first.getByTestId('settings-open').click();
    await first.getByTestId('notifications-toggle').check();
    await first.keyboard.press('Escape');
    await openConversation(first, room.id);
    const second = suite.track(await context.newPage());
    await second.goto(`/c/${room.id}`);
    await second.getByTestId('message-list').waitFor();

    const button = (p: Page) => p.getByTestId('notify-level-button');
    await expect.poll(() => button(first).getAttribute('data-level')).toBe('mentions');
    await button(first).click();
    const menu = first.getByTestId('notify-level-menu');
    expect(await menu.locator('[data-level="mentions"]').getAttribute('aria-checked')).toBe('true');
    await screenshot(first, 'notification-level-menu');
    expect((await runAxe(first)).filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => v.id)).toEqual([]);
    await menu.locator('[data-level="nothing"]').click();
    await expect.poll(() => button(first).getAttribute('data-level')).toBe('nothing');
    await expect.poll(() => button(second).getAttribute('data-level')).toBe('nothing');
    await expect.poll(() => second.locator(`[data-testid="conv-item"][data-conv-id="${room.id}"]`).getAttribute('class')).toContain('muted');

    // `nothing`: a mention of him, in the background, notifies nothing (both tabs in the background: neither reads it).
    await openConversation(first, (await createConversation(suite.h.server, bob.token, { kind: 'dm', user_id: bob.user.id })).id);
    await setHidden(first, true);
    await setHidden(second, true);
    await sendViaApi(suite.h.server, alice.token, room.id, `@${bob.user.username} the deploy is stuck`);
    // A muted conversation shows no unread count, but a mention still counts.
    await expect.poll(() => first.locator(`[data-testid="conv-item"][data-conv-id="${room.id}"] [data-testid="mention-badge"]`).textContent()).toBe('@1');
    await first.waitForTimeout(300);
    expect(await notes(first)).toEqual([]);

    // `mentions`, chosen in the second tab: a plain message stays quiet, a mention notifies.
    await setHidden(second, false);
    await button(second).click();
    await second.getByTestId('notify-level-menu').locator('[data-level="mentions"]').click();
    await expect.poll(() => button(second).getAttribute('data-level')).toBe('mentions');
    await setHidden(second, true);
    await expect.poll(() => first.evaluate((id) => document.querySelector(`[data-testid="conv-item"][data-conv-id="${id}"]`)?.classList.contains('muted'), room.id)).toBe(true);
    const token = randomUUID().slice(0, 8);
    // In seq order: by the time the mention notifies, the plain message before it was handled (quietly).
    await sendViaApi(suite.h.server, alice.token, room.id, `plain ${token}`);
    await sendViaApi(suite.h.server, alice.token, room.id, `@${bob.user.username} now it is ${token}`);
    await expect.poll(async () => (await notes(first)).map((n) => n.body)).toEqual([`@${bob.user.username} now it is ${token}`]);
  });

  test('the service worker shows a pushed message as a notification (a burn message says only that it burns); subscribing says clearly when the browser’s push service refuses', async () => {
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const { context, page } = await suite.h.newPage({ serviceWorkers: 'allow' });
    suite.track(page);
    await context.grantPermissions(['notifications']);
    await page.goto('/');
    await loginInUi(page, bob.user.username);
    // The app registers the worker on load only in a production build; the suites' build is made
    // under NODE_ENV=test, so the test registers the same built worker itself (127.0.0.1 is a secure origin).
    await page.evaluate(async () => {
      await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      await navigator.serviceWorker.ready;
    });

    const cdp = await context.newCDPSession(page);
    const registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: typeof registrations }) => registrations.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');
    const origin = new URL(page.url()).origin;
    await expect.poll(() => registrations.some((r) => r.scopeURL === `${origin}/` && !r.isDeleted)).toBe(true);
    const registrationId = registrations.find((r) => r.scopeURL === `${origin}/` && !r.isDeleted)!.registrationId;

    const convId = '01J0000000000000000000CONV';
    const base: PushPayload = {
      type: 'message',
      conv_id: convId,
      message_id: '01J00000000000000000000MSG',
      seq: 7,
      title: 'Alice in #deploys',
      body: 'the build is green',
      kind: 'preview',
      mention: false,
      url: `/c/${convId}`,
      ts: new Date().toISOString(),
    };
    const shown = () =>
      page.evaluate(async () => {
        const reg = await navigator.serviceWorker.ready;
        return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: (n.data as { url?: string } | null)?.url ?? null }));
      });
    await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: JSON.stringify(base) });
    await expect.poll(shown, { timeout: 10_000 }).toEqual([{ title: 'Alice in #deploys', body: 'the build is green', tag: convId, url: `/c/${convId}` }]);

    // A burn message: the body is the payload's sentence and nothing else (one per conversation: it replaces the first).
    const burn: PushPayload = { ...base, message_id: '01J0000000000000000000BURN', body: 'a message that burns after reading', kind: 'burn' };
    await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: JSON.stringify(burn) });
    await expect.poll(shown, { timeout: 10_000 }).toEqual([{ title: 'Alice in #deploys', body: 'a message that burns after reading', tag: convId, url: `/c/${convId}` }]);

    // Subscribing for real needs the browser's push service (Google's for Chromium), which this
    // machine cannot reach: the refusal is said in words, the box is unticked, the server has nothing.
    await page.getByTestId('settings-open').click();
    const section = page.getByTestId('notifications-section');
    const toggle = section.getByTestId('push-toggle');
    await expect.poll(() => toggle.isEnabled()).toBe(true);
    await toggle.click();
    const status = section.getByTestId('push-status');
    await status.waitFor({ timeout: 30_000 });
    expect(await status.getAttribute('role')).toBe('alert');
    expect(await status.innerText()).toMatch(/^The browser’s push service did not subscribe this device: .+/);
    await expect.poll(() => toggle.isChecked()).toBe(false);
    expect((await api<{ subscriptions: unknown[] }>(suite.h.server, 'GET', '/me/push', undefined, bob.token)).body.subscriptions).toEqual([]);
  });
});
