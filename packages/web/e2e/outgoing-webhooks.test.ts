/**
 * Outgoing webhooks as a channel admin manages them in the browser, against a receiver this test
 * runs on 127.0.0.1 (so the server is started with outgoingAllowPrivate, and a short retry base).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { verifyWebhookSignature } from '@parley/sdk';
import { createConversation, registerUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, messagesWithText, openConversation, runAxe, signedIn, uniqueName } from './support.js';

announceSkip();

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Records every request and answers 200 with `answer` as JSON (a reply the server posts back as the hook). */
async function startReceiver(answer: unknown): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/parley`, got, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe.skipIf(browserUnavailable !== null)('outgoing webhooks in the browser', { timeout: 90_000 }, () => {
  const suite = browserHarness({ outgoingAllowPrivate: true, outgoingRetryBaseMs: 50 });
  const receivers: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  async function openOutgoing(page: Page) {
    await page.getByTestId('open-webhooks').click();
    await page.getByRole('tab', { name: 'Outgoing' }).click();
    return page.getByRole('tabpanel', { name: 'Outgoing' });
  }

  test('a channel admin creates an outgoing webhook; a trigger word sent from the composer reaches the receiver signed with the secret shown once; its delivery is listed as delivered and redelivered with the same id', async () => {
    const receiver = await startReceiver({ text: 'Deploying api…' });
    receivers.push(receiver);
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const room = await createConversation(suite.h.server, alice.token, { kind: 'channel', name: uniqueName('deploys'), visibility: 'private' });

    const page = await signedIn(suite, alice);
    await openConversation(page, room.id);
    let panel = await openOutgoing(page);
    await panel.getByTestId('outgoing-empty').waitFor();
    await panel.getByLabel('Name shown on its replies').fill('Deployer');
    await panel.getByLabel('Receiver URL').fill(receiver.url);
    await panel.getByLabel('Trigger words (optional)').fill('deploy, ship');
    await expect(panel.getByRole('checkbox', { name: 'Messages' }).isChecked()).resolves.toBe(true);
    await panel.getByRole('button', { name: 'Create outgoing webhook' }).click();

    const secret = await panel.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    await expect(panel.getByTestId('outgoing-token').count(), 'the verification token is for the Slack format only').resolves.toBe(0);
    const row = panel.getByTestId('outgoing-row');
    await expect.poll(() => row.count()).toBe(1);
    await expect(row.textContent()).resolves.toContain('Messages starting with deploy, ship');
    await expect(row.textContent()).resolves.toContain(receiver.url);
    const violations = (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(violations.map((v) => v.id)).toEqual([]);

    await page.keyboard.press('Escape');
    for (const text of ['nothing to see here', 'deploy api to staging']) {
      await page.getByTestId('composer-input').fill(text);
      await page.getByTestId('composer-input').press('Enter');
      await messagesWithText(page, text).waitFor();
    }
    await expect.poll(() => receiver.got.length, { timeout: 10_000 }).toBe(1);
    const first = receiver.got[0]!;
    expect(JSON.parse(first.body)).toMatchObject({ type: 'message.created', text: 'deploy api to staging', trigger_word: 'deploy' });
    expect(verifyWebhookSignature(secret, { body: first.body, headers: first.headers })).toBe(true);
    expect(verifyWebhookSignature(`${secret}x`, { body: first.body, headers: first.headers })).toBe(false);
    // The receiver's answer is posted back as the hook.
    await messagesWithText(page, 'Deploying api…').waitFor();
    await expect(messagesWithText(page, 'Deploying api…').locator('.sender').textContent()).resolves.toBe('Deployer');

    panel = await openOutgoing(page);
    await panel.getByRole('button', { name: 'Deliveries' }).click();
    const deliveryId = String(first.headers['x-parley-delivery']);
    const delivery = panel.locator(`[data-testid="delivery"][data-delivery-id="${deliveryId}"]`);
    const refresh = panel.getByRole('button', { name: 'Refresh' });
    await expect
      .poll(async () => {
        await refresh.click();
        return delivery.getAttribute('data-state');
      })
      .toBe('delivered');
    await expect(delivery.getByTestId('delivery-state').textContent()).resolves.toBe('Delivered');
    await expect(delivery.getByTestId('delivery-status').textContent()).resolves.toBe('200');
    await expect(delivery.getByTestId('delivery-attempts').textContent()).resolves.toBe('1');
    await expect(delivery.getByTestId('delivery-latency').textContent()).resolves.toMatch(/^\d+ ms$/);
    await expect(delivery.locator('code').textContent()).resolves.toBe('message.created');

    await delivery.getByRole('button', { name: 'Redeliver' }).click();
    await expect.poll(() => receiver.got.length, { timeout: 10_000 }).toBe(2);
    expect(receiver.got[1]!.headers['x-parley-delivery']).toBe(deliveryId);
    expect(verifyWebhookSignature(secret, { body: receiver.got[1]!.body, headers: receiver.got[1]!.headers })).toBe(true);
    await expect
      .poll(async () => {
        await refresh.click();
        return delivery.getAttribute('data-state');
      })
      .toBe('delivered');
    await expect(panel.getByTestId('delivery').count(), 'a redelivery is the same delivery, not a new one').resolves.toBe(1);
    await page.keyboard.press('Escape');
    await expect(messagesWithText(page, 'Deploying api…').count(), 'the reply is posted once per delivery').resolves.toBe(1);
  });

  test('the Slack format with reactions is refused in the server’s words; with messages only it shows the verification token too; a new secret replaces it; revoking removes the hook', async () => {
    const receiver = await startReceiver({});
    receivers.push(receiver);
    const dana = await registerUser(suite.h.server, uniqueName('dana'));
    const room = await createConversation(suite.h.server, dana.token, { kind: 'channel', name: uniqueName('slacky'), visibility: 'public' });

    const page = await signedIn(suite, dana);
    await openConversation(page, room.id);
    const panel = await openOutgoing(page);
    await panel.getByTestId('outgoing-empty').waitFor();
    await panel.getByLabel('Name shown on its replies').fill('Legacy');
    await panel.getByLabel('Receiver URL').fill(receiver.url);
    await panel.getByRole('checkbox', { name: 'Reactions' }).check();
    await panel.getByRole('radio', { name: 'Slack form fields' }).check();
    await panel.getByRole('button', { name: 'Create outgoing webhook' }).click();
    await expect(panel.getByRole('alert').textContent()).resolves.toContain('The `slack` format carries messages only');
    await expect(panel.getByTestId('outgoing-empty').count(), 'nothing was created').resolves.toBe(1);

    // What was typed is kept: only the reactions need unticking.
    await panel.getByRole('checkbox', { name: 'Reactions' }).uncheck();
    await panel.getByRole('button', { name: 'Create outgoing webhook' }).click();
    const secret = await panel.getByLabel('Signing secret').inputValue();
    const token = await panel.getByLabel(/^Verification token/).inputValue();
    expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await expect(panel.getByRole('alert').count()).resolves.toBe(0);
    const row = panel.getByTestId('outgoing-row');
    await expect(row.textContent()).resolves.toContain('Slack form fields');

    await row.getByRole('button', { name: 'New secret' }).click();
    await expect.poll(() => panel.getByLabel('Signing secret').inputValue()).not.toBe(secret);
    await expect(panel.getByLabel(/^Verification token/).inputValue()).resolves.not.toBe(token);
    await expect(panel.getByTestId('outgoing-secret-box').textContent()).resolves.toContain('The new signing secret of “Legacy”');

    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByTestId('outgoing-revoke-confirm').click();
    await panel.getByTestId('outgoing-empty').waitFor();
    await expect(panel.getByTestId('outgoing-secret-box').count(), 'a revoked hook’s secret is no longer shown').resolves.toBe(0);
  });
});
