/**
 * Settings → Audit log, in the browser: an owner reads the log, filters it by actor, action and
 * time, pages with "Load more" and is told when a filter names no one; a member never sees the
 * section. Accessible (axe) under the app's CSP.
 */
import { describe, expect, test } from 'vitest';
import { api, createConversation, login, registerUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, runAxe, signedIn, uniqueName } from './support.js';

announceSkip();

describe.skipIf(browserUnavailable !== null)('the audit log in the browser', { timeout: 120_000 }, () => {
  const suite = browserHarness();

  test('an owner filters the log by actor, action and time and loads more; a bad actor is explained; a member has no such section', async () => {
    const owner = await registerUser(suite.h.server, uniqueName('owner'));
    const member = await registerUser(suite.h.server, uniqueName('member'));
    expect((await api(suite.h.server, 'POST', '/auth/login', { username: member.user.username, password: 'not the password' })).status).toBe(401);
    await createConversation(suite.h.server, member.token, { kind: 'channel', name: uniqueName('secret'), visibility: 'private' });
    // More sign-ins than one page shows (50).
    for (let i = 0; i < 52; i++) await login(suite.h.server, member.user.username);

    const page = await signedIn(suite, owner);
    await page.getByTestId('settings-open').click();
    const section = page.getByTestId('audit-section');
    const rows = section.getByTestId('audit-row');
    await section.getByTestId('audit-table').waitFor();
    // Newest first: the owner's own sign-in into this page heads the log.
    await expect.poll(() => rows.first().getAttribute('data-action')).toBe('auth.login');
    expect(await rows.first().getAttribute('data-actor')).toBe(owner.user.username);
    const violations = (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(violations.map((v) => v.id)).toEqual([]);

    // By actor and action prefix: the member's failed and successful sign-ins only.
    await section.getByTestId('audit-actor').fill(member.user.username);
    await section.getByTestId('audit-action').fill('auth.');
    await section.getByTestId('audit-since').selectOption('1h');
    await section.getByTestId('audit-apply').click();
    await expect.poll(() => rows.count()).toBe(50);
    const actors = new Set(await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-actor'))));
    expect(actors).toEqual(new Set([member.user.username]));
    // 52 sign-ins, the one at registration and the failed one: 54 in all, the last four on the next page.
    await section.getByTestId('audit-more').click();
    await expect.poll(() => rows.count()).toBe(54);
    expect(await rows.last().getAttribute('data-action')).toBe('auth.login');
    expect(await rows.nth(52).getAttribute('data-action')).toBe('auth.login_failed');
    expect(await section.getByTestId('audit-more').count()).toBe(0);

    // By another action: the private channel the member made.
    await section.getByTestId('audit-action').fill('conversation.created');
    await section.getByTestId('audit-apply').click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(member.user.username);

    // A name that is no one's: the server's reason, in the section.
    await section.getByTestId('audit-actor').fill('nobody-by-this-name');
    await section.getByTestId('audit-apply').click();
    await expect.poll(() => section.getByTestId('audit-error').textContent()).toContain('nobody-by-this-name');
    expect((await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => v.id)).toEqual([]);

    const memberPage = await signedIn(suite, member);
    await memberPage.getByTestId('settings-open').click();
    await memberPage.getByTestId('two-factor-section').waitFor();
    expect(await memberPage.getByTestId('audit-section').count()).toBe(0);
  });
});
