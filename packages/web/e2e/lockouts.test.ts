/**
 * Settings → Locked sign-ins, in the browser: a locked-out person is told how long to wait; an
 * owner sees the account locked out after failed sign-ins and unlocks it; a member never sees the
 * section. Accessible (axe) under the app's CSP.
 */
import { describe, expect, test } from 'vitest';
import { api, registerUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, PASSWORD, runAxe, signedIn, uniqueName } from './support.js';

announceSkip();

describe.skipIf(browserUnavailable !== null)('locked sign-ins in the browser', { timeout: 90_000 }, () => {
  const suite = browserHarness({ limits: { loginFailuresPerAccount: 2 } });

  test('the locked-out person is told how long to wait; an owner sees the locked account with until when and unlocks it; a member has no such section', async () => {
    const owner = await registerUser(suite.h.server, uniqueName('owner'));
    const member = await registerUser(suite.h.server, uniqueName('member'));
    const victim = await registerUser(suite.h.server, uniqueName('victim'));
    for (let i = 0; i < 2; i++) expect((await api(suite.h.server, 'POST', '/auth/login', { username: victim.user.username, password: 'wrong' })).status).toBe(401);
    expect((await api(suite.h.server, 'POST', '/auth/login', { username: victim.user.username, password: PASSWORD })).status).toBe(429);

    // The locked-out person is told how long to wait, not to retry "in a moment".
    const { page: victimPage } = await suite.h.newPage();
    suite.track(victimPage);
    await victimPage.goto('/');
    await victimPage.getByTestId('auth-username').fill(victim.user.username);
    await victimPage.getByTestId('auth-password').fill(PASSWORD);
    await victimPage.getByTestId('auth-submit').click();
    await expect.poll(() => victimPage.getByTestId('auth-error').textContent()).toContain('try again in 1 minute');

    const page = await signedIn(suite, owner);
    await page.getByTestId('settings-open').click();
    const section = page.getByTestId('lockouts-section');
    const row = section.locator(`[data-testid="lockout-row"][data-key="account:${victim.user.username}"]`);
    await expect.poll(() => row.textContent()).toContain('Locked until');
    const violations = (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(violations.map((v) => v.id)).toEqual([]);
    await row.getByTestId('lockout-clear').click();
    await row.waitFor({ state: 'detached' });
    expect((await api(suite.h.server, 'POST', '/auth/login', { username: victim.user.username, password: PASSWORD })).status).toBe(200);

    const memberPage = await signedIn(suite, member);
    await memberPage.getByTestId('settings-open').click();
    await memberPage.getByTestId('two-factor-section').waitFor();
    expect(await memberPage.getByTestId('lockouts-section').count()).toBe(0);
  });
});
