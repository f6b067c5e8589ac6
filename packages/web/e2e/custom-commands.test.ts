/**
 * Custom slash commands in the browser: an admin adds one in Settings, pointing at an endpoint
 * this test runs on 127.0.0.1 (so the server is started with outgoingAllowPrivate); members run
 * it from the composer and see its answers — the one only the caller sees, and the later one
 * posted in the channel through response_url.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createConversation, registerUser, type TestUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, messagesWithText, openConversation, runAxe, sendViaApi, signedIn, uniqueName } from './support.js';

announceSkip();

/**
 * A Slack-style command handler: answers `Deploying *<text>*…` at once (only the caller sees it),
 * then shortly after posts `Deployed <text> ✅` in the channel through the response_url.
 */
async function startDeployEndpoint(): Promise<{ url: string; calls: URLSearchParams[]; close(): Promise<void> }> {
  const calls: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      calls.push(form);
      const what = form.get('text') || 'everything';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: `Deploying *${what}*…` }));
      setTimeout(() => {
        void fetch(form.get('response_url')!, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ response_type: 'in_channel', text: `Deployed ${what} ✅` }),
        });
      }, 400);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/deploy`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe.skipIf(browserUnavailable !== null)('custom slash commands in the browser', { timeout: 120_000 }, () => {
  const suite = browserHarness({ outgoingAllowPrivate: true });
  let endpoint: Awaited<ReturnType<typeof startDeployEndpoint>>;
  let owner: TestUser;
  beforeAll(async () => {
    endpoint = await startDeployEndpoint();
  });
  afterAll(async () => {
    await endpoint?.close();
  });
  /** The first account of this server owns the workspace: only owners and admins add commands. */
  const workspaceOwner = async () => (owner ??= await registerUser(suite.h.server, uniqueName('owner')));

  test('an admin adds /deploy in Settings; a member types /de, sees it suggested, runs it: the answer only they see is labelled so, never reaches another member, is gone after a reload; the later in-channel answer reaches both', async () => {
    const admin = await workspaceOwner();
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const carol = await registerUser(suite.h.server, uniqueName('carol'));
    const room = await createConversation(suite.h.server, admin.token, { kind: 'channel', name: uniqueName('ops'), visibility: 'public', member_ids: [bob.user.id, carol.user.id] });

    const adminPage = await signedIn(suite, admin);
    await adminPage.getByTestId('settings-open').click();
    const section = adminPage.getByTestId('commands-section');
    await section.getByTestId('commands-empty').waitFor();
    await section.getByLabel('Command', { exact: true }).fill('/deploy');
    await section.getByLabel('Request URL').fill(endpoint.url);
    await section.getByLabel('Description (optional)').fill('Deploy a service');
    await section.getByLabel('Usage hint (optional)').fill('[service]');
    await section.getByLabel('Answers shown as (optional)').fill('Deployer');
    await section.getByRole('button', { name: 'Add command' }).click();
    await expect(section.getByLabel('Signing secret').inputValue()).resolves.toMatch(/^[A-Za-z0-9_-]{40,}$/);
    await expect(section.getByTestId('command-token').inputValue()).resolves.toMatch(/^[A-Za-z0-9_-]{20,}$/);
    await expect(section.getByTestId('command-secret-box').textContent()).resolves.toContain('The signing secret of /deploy');
    const row = section.locator('[data-testid="command-row"][data-command="deploy"]');
    await expect(row.textContent()).resolves.toContain(endpoint.url);
    await expect(row.textContent()).resolves.toContain('Deploy a service');
    const violations = (await runAxe(adminPage)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(violations.map((v) => v.id)).toEqual([]);
    // A command whose endpoint refuses connections, to see a failure in the composer.
    expect((await api(suite.h.server, 'POST', '/commands', { command: 'broken', url: 'http://127.0.0.1:9/nothing', description: 'Never answers' }, admin.token)).status).toBe(201);

    const carolPage = await signedIn(suite, carol);
    await openConversation(carolPage, room.id);
    const bobPage = await signedIn(suite, bob);
    await bobPage.getByTestId('settings-open').click();
    await bobPage.getByTestId('tokens-section').waitFor();
    await expect(bobPage.getByTestId('commands-section').count(), 'members do not manage commands').resolves.toBe(0);
    await bobPage.keyboard.press('Escape');
    await openConversation(bobPage, room.id);

    const input = bobPage.getByTestId('composer-input');
    await input.pressSequentially('/de');
    const option = bobPage.locator('[data-testid="command-option"][data-command="deploy"]');
    await option.waitFor();
    await expect(option.textContent()).resolves.toContain('Deploy a service');
    await expect(option.textContent()).resolves.toContain('[service]');
    await input.press('Enter');
    await expect(input.inputValue()).resolves.toBe('/deploy ');
    await input.pressSequentially('api');
    await input.press('Enter');

    const ephemeral = bobPage.getByTestId('ephemeral-message');
    await ephemeral.filter({ hasText: 'Deploying api…' }).waitFor();
    await expect(ephemeral.locator('strong').textContent()).resolves.toBe('api');
    await expect(ephemeral.getByTestId('ephemeral-label').textContent()).resolves.toBe('Only visible to you');
    // The bot's name shows once its profile has loaded ("…" until then).
    await expect.poll(() => ephemeral.locator('.sender').textContent()).toBe('Deployer');
    await expect(input.inputValue(), 'the command ran: the composer is empty').resolves.toBe('');
    expect(endpoint.calls.map((c) => [c.get('command'), c.get('text'), c.get('channel_id'), c.get('user_name'), c.get('thread_root_id')])).toEqual([
      ['/deploy', 'api', room.id, bob.user.username, ''],
    ]);

    // The in-channel answer reaches everyone; the ephemeral one never reached Carol.
    await messagesWithText(bobPage, 'Deployed api ✅').waitFor();
    await messagesWithText(carolPage, 'Deployed api ✅').waitFor();
    await expect(carolPage.getByTestId('ephemeral-message').count()).resolves.toBe(0);
    await expect(ephemeral.count(), 'the REST answer and the socket event are one message').resolves.toBe(1);

    // A failing endpoint: the server's words, and the text stays to retry.
    await input.fill('/broken now');
    await input.press('Enter');
    await bobPage.getByRole('alert').filter({ hasText: '/broken did not answer' }).waitFor();
    await expect(input.inputValue()).resolves.toBe('/broken now');
    await input.fill('');

    await bobPage.reload();
    await bobPage.getByTestId('message-list').waitFor();
    await messagesWithText(bobPage, 'Deployed api ✅').waitFor();
    await expect(bobPage.getByTestId('ephemeral-message').count(), 'gone after a reload').resolves.toBe(0);
  });

  test('run from a thread, a command gets the thread: the answer only the caller sees is in the thread panel, not the channel, the later one is a reply; × dismisses it', async () => {
    const admin = await workspaceOwner();
    expect((await api(suite.h.server, 'POST', '/commands', { command: 'ship', url: endpoint.url, description: 'Ship it' }, admin.token)).status).toBe(201);
    const dana = await registerUser(suite.h.server, uniqueName('dana'));
    const room = await createConversation(suite.h.server, dana.token, { kind: 'channel', name: uniqueName('threads'), visibility: 'public' });
    const root = await sendViaApi(suite.h.server, dana.token, room.id, 'release train');
    await sendViaApi(suite.h.server, dana.token, room.id, 'first reply', root.id);

    const page = await signedIn(suite, dana);
    await openConversation(page, room.id);
    await page.locator(`[data-testid="message"][data-message-id="${root.id}"] .thread-summary`).click();
    const panel = page.getByTestId('thread-panel');
    await panel.getByTestId('message').filter({ hasText: 'first reply' }).waitFor();

    const input = page.getByTestId('thread-composer-input');
    await input.fill('/ship web');
    await input.press('Enter');
    const inThread = panel.getByTestId('ephemeral-message');
    await inThread.filter({ hasText: 'Deploying web…' }).waitFor();
    expect(endpoint.calls.at(-1)?.get('thread_root_id')).toBe(root.id);
    await expect(page.getByTestId('message-list').getByTestId('ephemeral-message').count(), 'not in the channel').resolves.toBe(0);
    await panel.getByTestId('message').filter({ hasText: 'Deployed web ✅' }).waitFor();
    await inThread.getByRole('button', { name: 'Dismiss this message' }).click();
    await expect.poll(() => inThread.count()).toBe(0);
  });
});
