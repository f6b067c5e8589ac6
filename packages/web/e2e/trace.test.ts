/**
 * "Where did my message go", in the browser: an owner picks Trace delivery in a message's menu
 * and the admin console shows the stages on the server and the recipient's device, delivered and
 * read; a pasted message link finds the same trace; a member has no such menu item.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { createConversation, registerUser, type TestUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, openConversation, runAxe, screenshot, sendViaApi, signedIn, uniqueName } from './support.js';

announceSkip();

async function openMenu(page: Page, id: string): Promise<void> {
  const row = page.locator(`[data-testid="message"][data-message-id="${id}"]`);
  await row.hover();
  await row.getByTestId('message-actions').click();
  await page.getByTestId('message-menu').waitFor();
}

describe.skipIf(browserUnavailable !== null)('message trace in the admin console', { timeout: 120_000 }, () => {
  const suite = browserHarness();
  // The workspace's first account is its owner.
  let owner: TestUser;
  beforeAll(async () => {
    owner = await registerUser(suite.h.server, uniqueName('owner'));
  });

  test('from the message menu to the trace: stages, then the recipient’s device delivered and read; a pasted link finds it too', async () => {
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const dm = await createConversation(suite.h.server, owner.token, { kind: 'dm', user_id: bob.user.id });
    const b = await signedIn(suite, bob);
    await openConversation(b, dm.id);
    const sent = await sendViaApi(suite.h.server, owner.token, dm.id, 'did this reach you?');
    // Bob's page shows it (and so acknowledges and reads it).
    await b.locator(`[data-testid="message"][data-message-id="${sent.id}"]`).waitFor();

    const page = await signedIn(suite, owner);
    await openConversation(page, dm.id);
    await openMenu(page, sent.id);
    await page.getByTestId('action-trace').click();
    await page.waitForURL(`**/admin?trace=${sent.id}`);
    const result = page.getByTestId('trace-result');
    await result.waitFor();
    await expect(result.getAttribute('data-state')).resolves.toBe('present');
    await expect(page.getByTestId('trace-input').inputValue()).resolves.toBe(sent.id);
    await expect(page.getByTestId('trace-stage-accepted').innerText()).resolves.toContain(suite.h.server.parley.config.nodeName);
    // Bob's devices: the browser's, which showed the message, acknowledged and read it (written
    // within a second or two); the session his account was made with never connected: pending.
    const statuses = () => page.locator(`[data-testid="trace-device"][data-user="${bob.user.username}"]`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')).sort());
    await expect
      .poll(
        async () => {
          await page.getByTestId('trace-submit').click();
          await result.waitFor();
          return statuses();
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toEqual(['pending', 'read']);
    await expect(page.getByTestId('trace-stage-committed').innerText()).resolves.not.toContain('not recorded');
    expect((await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => v.id)).toEqual([]);
    await screenshot(page, 'admin-trace');

    // A message link pasted in finds the same message; something else is said to be neither.
    await page.getByTestId('trace-input').fill('not a message');
    await page.getByTestId('trace-submit').click();
    await page.getByTestId('trace-error').waitFor();
    await page.getByTestId('trace-input').fill(`${suite.h.server.url}/c/${dm.id}/${sent.id}`);
    await page.getByTestId('trace-submit').click();
    await expect.poll(statuses).toEqual(['pending', 'read']);
  });

  test('a member’s message menu has no trace', async () => {
    const carol = await registerUser(suite.h.server, uniqueName('carol'));
    const dm = await createConversation(suite.h.server, carol.token, { kind: 'dm', user_id: owner.user.id });
    const sent = await sendViaApi(suite.h.server, owner.token, dm.id, 'hello carol');
    const page = await signedIn(suite, carol);
    await openConversation(page, dm.id);
    await openMenu(page, sent.id);
    await expect(page.getByTestId('action-copy-link').count()).resolves.toBe(1);
    await expect(page.getByTestId('action-trace').count()).resolves.toBe(0);
  });
});
