import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '@parley/server/testing/ports';
import { startIdentityProvider, type IdentityProvider } from '@parley/server/testing/identity-provider';
import { announceSkip, browserHarness, browserUnavailable, runAxe, type ServerOverrides } from './support.js';

const SESSION_KEY = 'parley.session';

announceSkip();

describe.skipIf(browserUnavailable !== null)('single sign-on in the browser', { timeout: 90_000 }, () => {
  // The provider must know Parley's address before Parley starts: both are settled first.
  const overrides: ServerOverrides = {};
  let idp: IdentityProvider | undefined;
  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await startIdentityProvider(`${publicUrl}/api/v1/auth/sso/callback`);
    Object.assign(overrides, { port, publicUrl, oidcIssuer: idp.issuer, oidcClientId: idp.clientId, oidcClientSecret: idp.clientSecret, oidcName: 'Corp ID' });
  });
  afterAll(async () => {
    await idp?.close();
  });
  const suite = browserHarness(overrides);

  test('a new person signs in with the identity provider and lands in Parley with an account; signing out and in again is the same account', async () => {
    idp!.accounts.set('kim-sub', { email: 'kim@corp.test', email_verified: true, name: 'Kim Tester', preferred_username: 'kim' });
    const { page } = await suite.h.newPage();
    suite.track(page);
    await page.goto('/');
    const button = page.getByTestId('auth-sso');
    await expect.poll(() => button.textContent()).toBe('Sign in with Corp ID');
    const violations = (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(violations.map((v) => v.id)).toEqual([]);
    await button.click();
    // The provider's own login page.
    await page.locator('input[name=login]').fill('kim-sub');
    await page.locator('input[name=password]').fill('anything');
    await page.locator('button[type=submit]').click();
    await page.getByTestId('sidebar').waitFor();
    // The one-time code does not stay in the address.
    expect(new URL(page.url()).hash).toBe('');
    const signedInAs = () => page.evaluate((key) => (JSON.parse(localStorage.getItem(key) ?? '{}') as { user?: { id: string; username: string } }).user, SESSION_KEY);
    const first = await signedInAs();
    expect(first?.username).toBe('kim');

    await page.getByTestId('settings-open').click();
    await page.getByTestId('logout').click();
    await page.getByTestId('auth-sso').click();
    // The provider remembers kim: no form this time, straight back in, as the same account.
    await page.getByTestId('sidebar').waitFor();
    expect((await signedInAs())?.id).toBe(first?.id);
  });

  test('a sign-in the app cannot finish is explained on the sign-in screen', async () => {
    const { page } = await suite.h.newPage();
    suite.track(page);
    await page.goto('/#sso_error=no_account');
    await expect.poll(() => page.getByTestId('auth-error').textContent()).toContain('no Parley account for you yet');
    expect(new URL(page.url()).hash).toBe('');
  });
});
