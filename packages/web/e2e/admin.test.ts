import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { api, createConversation, registerUser, type TestUser } from '@parley/server/testing';
import type { AdminUserList, Conversation, CreatedIncomingWebhook, CreatedSlashCommand, User } from '@parley/protocol';
import { announceSkip, browserHarness, browserUnavailable, runAxe, screenshot, signedIn, uniqueName } from './support.js';

announceSkip();

async function seriousViolations(page: Page): Promise<string[]> {
  return (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => v.id);
}

describe.skipIf(browserUnavailable !== null)('the admin console in the browser', { timeout: 180_000 }, () => {
  const suite = browserHarness();
  // The first account of the workspace is its owner.
  let owner: TestUser;
  beforeAll(async () => {
    owner = await registerUser(suite.h.server, uniqueName('owner'));
  });

  test('an owner sees the node and its sockets, changes a role, signs a user out everywhere (their page goes to sign-in) and archives a channel', async () => {
    expect(owner.user.role).toBe('owner');
    const carol = await registerUser(suite.h.server, uniqueName('carol'));
    const room = await createConversation(suite.h.server, carol.token, { kind: 'channel', name: uniqueName('oldroom'), visibility: 'public', member_ids: [] });
    const carolPage = await signedIn(suite, carol);
    const page = await signedIn(suite, owner);

    await page.getByTestId('admin-open').click();
    await page.waitForURL('**/admin');
    await page.getByTestId('admin-console').waitFor();
    // This node, healthy, with the two open pages' sockets (the figures refresh every 5 s).
    const node = page.getByTestId('admin-node');
    await node.first().waitFor();
    await expect(node.first().getAttribute('data-healthy')).resolves.toBe('true');
    await expect.poll(async () => Number(await node.first().getByTestId('admin-node-sockets').innerText()), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(async () => Number((await page.getByTestId('admin-figure-sockets').innerText()).replace(/\D+/g, '')), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'admin-overview');

    // The tabs move with the arrow keys.
    await page.getByTestId('admin-tab-overview').focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('admin-tab-users').getAttribute('aria-selected')).resolves.toBe('true');
    await page.getByTestId('admin-user-search').fill(carol.user.username);
    const row = page.locator(`[data-testid="admin-user"][data-username="${carol.user.username}"]`);
    await row.waitFor();
    await expect.poll(() => page.getByTestId('admin-user').count()).toBe(1);

    await row.getByTestId('admin-user-role').selectOption('guest');
    await expect.poll(async () => (await api<User>(suite.h.server, 'GET', '/me', undefined, carol.token)).body.role).toBe('guest');

    await row.getByTestId('admin-user-sessions').click();
    await row.getByTestId('admin-session').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await row.getByTestId('admin-signout-everywhere').click();
    await row.getByTestId('admin-signout-confirm').click();
    await expect.poll(() => row.getByTestId('admin-user-notice').innerText()).toMatch(/signed out of \d+ session/);
    // Carol's open page is at the sign-in screen, at once, without her doing anything.
    await carolPage.getByTestId('auth-username').waitFor({ timeout: 20_000 });
    await expect(carolPage.getByTestId('sidebar').count()).resolves.toBe(0);
    expect((await api(suite.h.server, 'GET', '/me', undefined, carol.token)).status).toBe(401);

    await page.getByTestId('admin-tab-channels').click();
    await page.getByTestId('admin-channel-search').fill(room.name!);
    const channel = page.locator(`[data-testid="admin-channel"][data-channel="${room.name}"]`);
    await channel.waitFor();
    await expect(channel.innerText()).resolves.toContain(`@${carol.user.username}`);
    await channel.getByTestId('admin-channel-archive').click();
    await expect.poll(() => channel.getAttribute('data-archived')).toBe('true');
    const stored = await api<Conversation>(suite.h.server, 'GET', `/conversations/${room.id}`, undefined, owner.token);
    expect(stored.body.archived).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'admin-channels');

    // The reused sections are there too.
    await page.getByTestId('admin-tab-audit').click();
    await page.getByTestId('audit-section').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('an owner sees every webhook, command and bot, removes one, and is told which are a private channel’s to manage', async () => {
    const erin = await registerUser(suite.h.server, uniqueName('erin'));
    const open = await createConversation(suite.h.server, erin.token, { kind: 'channel', name: uniqueName('builds'), visibility: 'public', member_ids: [] });
    const closed = await createConversation(suite.h.server, erin.token, { kind: 'channel', name: uniqueName('payroll'), visibility: 'private', member_ids: [] });
    const hookName = uniqueName('CI');
    const lockedName = uniqueName('Payroll');
    const ci = await api<CreatedIncomingWebhook>(suite.h.server, 'POST', `/conversations/${open.id}/webhooks`, { name: hookName }, erin.token);
    expect(ci.status).toBe(201);
    expect((await api(suite.h.server, 'POST', `/conversations/${closed.id}/webhooks`, { name: lockedName }, erin.token)).status).toBe(201);
    const cmd = await api<CreatedSlashCommand>(suite.h.server, 'POST', '/commands', { command: uniqueName('ship'), url: 'https://example.com/ship' }, owner.token);
    expect(cmd.status).toBe(201);
    // The hook posts once: its last use shows.
    expect((await fetch(ci.body.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'green' }) })).status).toBe(200);

    const page = await signedIn(suite, owner);
    await page.goto('/admin');
    await page.getByTestId('admin-tab-integrations').click();
    const row = (name: string) => page.locator(`[data-testid="admin-integration"][data-name="${name}"]`);
    await row(hookName).waitFor();
    await expect(row(hookName).innerText()).resolves.toContain(`#${open.name}`);
    await expect(row(hookName).innerText()).resolves.toContain(`@${erin.user.username}`);
    await expect(row(hookName).innerText()).resolves.not.toContain('never');
    await expect(row(`/${cmd.body.command}`).innerText()).resolves.toContain('https://example.com/ship');
    // The private channel's hook: listed, not the owner's to remove.
    await expect(row(lockedName).getByTestId('admin-integration-remove').count()).resolves.toBe(0);
    await expect(row(lockedName).innerText()).resolves.toContain('only its members');
    // No secret of the hook's URL is on the page.
    await expect(page.getByTestId('admin-integrations').innerText()).resolves.not.toContain(ci.body.url.split('/').pop()!);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'admin-integrations');

    // Filtered to commands, then back; removing asks first.
    await page.getByTestId('admin-integration-type').selectOption('slash_command');
    await expect(row(hookName).count()).resolves.toBe(0);
    await page.getByTestId('admin-integration-type').selectOption('');
    await row(hookName).getByTestId('admin-integration-remove').click();
    await row(hookName).getByTestId('admin-integration-remove-confirm').click();
    await row(hookName).waitFor({ state: 'detached' });
    // The hook is gone on the server: its URL no longer posts.
    expect((await fetch(ci.body.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'late' }) })).status).toBeGreaterThanOrEqual(400);
  });

  test('an owner sets the email single sign-on links a user by, sees it listed, and clears it', async () => {
    const gina = await registerUser(suite.h.server, uniqueName('gina'));
    const page = await signedIn(suite, owner);
    await page.goto('/admin');
    await page.getByTestId('admin-tab-users').click();
    await page.getByTestId('admin-user-search').fill(gina.user.username);
    const row = page.locator(`[data-testid="admin-user"][data-username="${gina.user.username}"]`);
    await row.waitFor();
    await expect(row.getByTestId('admin-user-email').innerText()).resolves.toBe('no email');
    await row.getByTestId('admin-user-email-edit').click();
    await row.getByTestId('admin-user-email-input').fill(`${gina.user.username}@Corp.test`);
    await row.getByTestId('admin-user-email-save').click();
    await expect.poll(() => row.getByTestId('admin-user-email').innerText()).toBe(`${gina.user.username}@corp.test`);
    const listed = async () => (await api<AdminUserList>(suite.h.server, 'GET', `/admin/users?query=${gina.user.username}`, undefined, owner.token)).body.emails;
    expect(await listed()).toEqual([{ id: gina.user.id, email: `${gina.user.username}@corp.test` }]);
    expect(await seriousViolations(page)).toEqual([]);
    // Read back after a reload, then cleared by saving it empty.
    await page.reload();
    await page.getByTestId('admin-tab-users').click();
    await page.getByTestId('admin-user-search').fill(gina.user.username);
    await expect.poll(() => row.getByTestId('admin-user-email').innerText()).toBe(`${gina.user.username}@corp.test`);
    await row.getByTestId('admin-user-email-edit').click();
    await row.getByTestId('admin-user-email-input').fill('');
    await row.getByTestId('admin-user-email-save').click();
    await expect.poll(() => row.getByTestId('admin-user-email').innerText()).toBe('no email');
    expect(await listed()).toEqual([]);
  });

  test('a plain member has no Admin entry, and /admin tells them it is not for them', async () => {
    await registerUser(suite.h.server, uniqueName('first'));
    const dave = await registerUser(suite.h.server, uniqueName('dave'));
    const page = await signedIn(suite, dave);
    await page.getByTestId('settings-open').waitFor();
    await expect(page.getByTestId('admin-open').count()).resolves.toBe(0);
    await page.goto('/admin');
    await page.getByTestId('admin-not-allowed').waitFor();
    await expect(page.getByTestId('admin-user-search').count()).resolves.toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
  });
});
