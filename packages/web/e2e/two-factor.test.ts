import { generate } from 'otplib';
import { describe, expect, test } from 'vitest';
import { announceSkip, browserHarness, browserUnavailable, PASSWORD, registerInUi, runAxe, uniqueName } from './support.js';

announceSkip();

describe.skipIf(browserUnavailable !== null)('two-factor sign-in in the browser', { timeout: 90_000 }, () => {
  const suite = browserHarness();

  test('a user sets up an authenticator from the QR code and its secret, keeps the recovery codes, and the next sign-in asks for a code; a wrong one is explained and a recovery code gets in', async () => {
    const name = uniqueName('tfa');
    const { page } = await suite.h.newPage();
    suite.track(page);
    await page.goto('/');
    await registerInUi(page, name, 'Two Factor');
    await page.getByTestId('settings-open').click();
    const section = page.getByTestId('two-factor-section');
    await expect.poll(() => section.getByTestId('two-factor-state').textContent()).toContain('Off');
    await section.getByTestId('two-factor-setup').click();
    await section.getByTestId('two-factor-qr').waitFor();
    // The QR code is an image drawn in the page (a data: URL), not fetched from anywhere.
    await expect(section.getByTestId('two-factor-qr').getAttribute('src')).resolves.toMatch(/^data:image\/svg\+xml/);
    const secret = (await section.getByTestId('two-factor-secret').textContent())!;
    const violations = (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(violations.map((v) => v.id)).toEqual([]);
    await section.getByTestId('two-factor-code').fill(await generate({ secret }));
    await section.getByTestId('two-factor-enable').click();
    const codes = (await section.getByTestId('recovery-codes').locator('pre').textContent())!.split('\n');
    expect(codes).toHaveLength(10);
    await expect.poll(() => section.getByTestId('two-factor-state').textContent()).toContain('10 recovery codes left');
    await page.getByTestId('logout').click();

    await page.getByTestId('auth-username').fill(name);
    await page.getByTestId('auth-password').fill(PASSWORD);
    await page.getByTestId('auth-submit').click();
    await page.getByTestId('auth-code').fill('000000');
    await page.getByTestId('auth-code-submit').click();
    await expect.poll(() => page.getByTestId('auth-error').textContent()).toContain('wrong or was already used');
    await page.getByTestId('auth-code').fill(codes[0]!);
    await page.getByTestId('auth-code-submit').click();
    await page.getByTestId('sidebar').waitFor();
  });
});

describe.skipIf(browserUnavailable !== null)('two-factor sign-in required by the workspace', { timeout: 90_000 }, () => {
  const suite = browserHarness();

  test('an owner requires it in Settings; a newcomer sees only the enrolment screen until it is on, then the app', async () => {
    const owner = await suite.h.newPage();
    suite.track(owner.page);
    await owner.page.goto('/');
    await registerInUi(owner.page, uniqueName('own'), 'Owner');
    await owner.page.getByTestId('settings-open').click();
    const box = owner.page.getByTestId('require-2fa');
    await expect.poll(() => box.isEnabled()).toBe(true);
    expect(await box.isChecked()).toBe(false);
    await box.check();
    // Saved once the box is usable again, and still ticked (as the server has it).
    await expect.poll(() => box.isEnabled()).toBe(true);
    expect(await box.isChecked()).toBe(true);

    const { page } = await suite.h.newPage();
    suite.track(page);
    await page.goto('/');
    await page.getByTestId('auth-toggle').click();
    await page.getByTestId('auth-display-name').waitFor();
    await page.getByTestId('auth-username').fill(uniqueName('new'));
    await page.getByTestId('auth-password').fill(PASSWORD);
    await page.getByTestId('auth-display-name').fill('Newcomer');
    await page.getByTestId('auth-submit').click();
    await page.getByTestId('enrol-2fa-explainer').waitFor();
    expect(await page.getByTestId('sidebar').count()).toBe(0);
    const violations = (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(violations.map((v) => v.id)).toEqual([]);
    const section = page.getByTestId('two-factor-section');
    await section.getByTestId('two-factor-setup').click();
    const secret = (await section.getByTestId('two-factor-secret').textContent())!;
    await section.getByTestId('two-factor-code').fill(await generate({ secret }));
    await section.getByTestId('two-factor-enable').click();
    await section.getByTestId('recovery-codes').waitFor();
    await page.getByTestId('enrol-2fa-continue').click();
    await page.getByTestId('sidebar').waitFor();
  });
});
