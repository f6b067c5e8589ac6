import { describe, expect, test } from 'vitest';
import { api, createConversation, registerUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, signedIn, messagesWithText, openConversation, runAxe, uniqueName } from './support.js';

announceSkip();

describe.skipIf(browserUnavailable !== null)('incoming webhooks in the browser', { timeout: 90_000 }, () => {
  const suite = browserHarness();

  const post = (url: string, text: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) }).then(async (r) => [r.status, await r.text()]);

  test('a channel admin creates a webhook, a script posts to its URL and the post appears; a new URL retires the old one; revoking ends it; a plain member has no such button', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const room = await createConversation(suite.h.server, alice.token, { kind: 'channel', name: uniqueName('deploys'), visibility: 'private', member_ids: [bob.user.id] });

    const page = await signedIn(suite, alice);
    await openConversation(page, room.id);
    await page.getByTestId('open-webhooks').click();
    await page.getByTestId('webhooks-empty').waitFor();
    await page.getByTestId('webhook-name').fill('CI');
    await page.getByTestId('webhook-create').click();
    const url = await page.getByTestId('webhook-url').inputValue();
    expect(url).toMatch(/\/hooks\/[0-9A-Z]{26}\/[A-Za-z0-9_-]{43}$/);
    await expect.poll(() => page.getByTestId('webhook-row').count()).toBe(1);
    const violations = (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(violations.map((v) => v.id)).toEqual([]);

    expect(await post(url, 'Deploy *v2* done')).toEqual([200, 'ok']);
    await page.keyboard.press('Escape');
    await messagesWithText(page, 'Deploy v2 done').waitFor();
    await expect(messagesWithText(page, 'Deploy v2 done').locator('strong').textContent()).resolves.toBe('v2');
    // Shown as from the hook, marked as a bot.
    await expect(messagesWithText(page, 'Deploy v2 done').locator('.sender').textContent()).resolves.toBe('CI');
    await expect(messagesWithText(page, 'Deploy v2 done').getByTestId('bot-badge').textContent()).resolves.toBe('BOT');

    await page.getByTestId('open-webhooks').click();
    await expect.poll(() => page.getByTestId('webhook-row').count()).toBe(1);
    await page.getByTestId('webhook-rotate').click();
    await expect.poll(() => page.getByTestId('webhook-url').inputValue()).not.toBe(url);
    const next = await page.getByTestId('webhook-url').inputValue();
    expect(await post(url, 'old')).toEqual([404, 'no_service']);
    expect(await post(next, 'new')).toEqual([200, 'ok']);
    await page.getByTestId('webhook-revoke').click();
    await page.getByTestId('webhook-revoke-confirm').click();
    await page.getByTestId('webhooks-empty').waitFor();
    expect(await post(next, 'gone')).toEqual([404, 'no_service']);

    const bobPage = await signedIn(suite, bob);
    await openConversation(bobPage, room.id);
    await messagesWithText(bobPage, 'new').first().waitFor();
    await expect(bobPage.getByTestId('open-webhooks').count()).resolves.toBe(0);
  });

  test('an Alertmanager hook made in the dialog shows its config snippet; an alert group becomes one thread whose root turns from firing to resolved', async () => {
    const erin = await registerUser(suite.h.server, uniqueName('erin'));
    const room = await createConversation(suite.h.server, erin.token, { kind: 'channel', name: uniqueName('alerts'), visibility: 'public' });
    const page = await signedIn(suite, erin);
    await openConversation(page, room.id);
    await page.getByTestId('open-webhooks').click();
    await page.getByTestId('webhook-name').fill('Alertmanager');
    await page.getByTestId('webhook-kind').selectOption('alertmanager');
    await page.getByTestId('webhook-create').click();
    const url = await page.getByTestId('webhook-url').inputValue();
    await page.getByText(`- url: '${url}'`, { exact: false }).waitFor();
    await page.keyboard.press('Escape');

    const alert = (status: 'firing' | 'resolved') => ({
      version: '4',
      groupKey: '{}:{alertname="DiskFull"}',
      status,
      receiver: 'parley',
      groupLabels: { alertname: 'DiskFull' },
      commonLabels: { alertname: 'DiskFull', instance: 'db1' },
      commonAnnotations: { summary: 'Disk almost full on db1' },
      externalURL: 'http://alertmanager.example.org:9093',
      alerts: [
        {
          status,
          labels: { alertname: 'DiskFull', instance: 'db1' },
          annotations: { summary: 'Disk almost full on db1' },
          startsAt: '2026-11-30T10:00:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: 'f1',
        },
      ],
    });
    const send = (body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status);
    expect(await send(alert('firing'))).toBe(200);
    const root = messagesWithText(page, 'DiskFull firing: 1');
    await root.waitFor();
    expect(await send(alert('firing'))).toBe(200);
    expect(await send(alert('resolved'))).toBe(200);
    const resolved = messagesWithText(page, 'DiskFull resolved');
    await resolved.waitFor();
    // Still one root: the same message, edited in place, with its thread of two replies.
    await expect(page.getByTestId('message').filter({ hasText: 'DiskFull' }).count()).resolves.toBe(1);
    await expect(resolved.getByText('notified 3×').count()).resolves.toBe(1);
    await resolved.getByText('2 replies').waitFor();
  });

  test('the kind picker: a GitLab hook shows its secret token once; a Sentry hook waits for the integration’s client secret; an alert hook may ask for basic auth', async () => {
    const fay = await registerUser(suite.h.server, uniqueName('fay'));
    const room = await createConversation(suite.h.server, fay.token, { kind: 'channel', name: uniqueName('dev'), visibility: 'public' });
    const page = await signedIn(suite, fay);
    await openConversation(page, room.id);
    await page.getByTestId('open-webhooks').click();
    await page.getByTestId('webhook-name').fill('GitLab');
    await page.getByTestId('webhook-kind').selectOption('gitlab');
    await page.getByTestId('webhook-create').click();
    const token = await page.getByTestId('webhook-signing-secret').inputValue();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const url = await page.getByTestId('webhook-url').inputValue();
    const mr = {
      object_kind: 'merge_request',
      user: { username: 'ada' },
      project: { path_with_namespace: 'acme/api', web_url: 'https://gitlab.example.com/acme/api' },
      object_attributes: {
        iid: 7,
        title: 'Faster builds',
        state: 'opened',
        action: 'open',
        url: 'https://gitlab.example.com/acme/api/-/merge_requests/7',
        source_branch: 'fast',
        target_branch: 'main',
      },
    };
    const sent = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gitlab-token': token }, body: JSON.stringify(mr) });
    expect(sent.status).toBe(200);

    await page.getByTestId('webhook-name').fill('Sentry');
    await page.getByTestId('webhook-kind').selectOption('sentry');
    await expect(page.getByTestId('webhook-create').isDisabled(), 'no client secret yet').resolves.toBe(true);
    await page.getByTestId('webhook-client-secret').fill('a3f1c9e07b6d4e2f9a8b7c6d5e4f3a2b');
    await page.getByTestId('webhook-create').click();
    await expect.poll(() => page.getByTestId('webhook-row').count()).toBe(2);

    await page.getByTestId('webhook-name').fill('Grafana');
    await page.getByTestId('webhook-kind').selectOption('grafana');
    await page.getByTestId('webhook-basic-user').fill('grafana');
    await expect(page.getByTestId('webhook-create').isDisabled(), 'a password is needed with a username').resolves.toBe(true);
    await page.getByTestId('webhook-basic-password').fill('a long enough password');
    await page.getByTestId('webhook-create').click();
    await expect.poll(() => page.getByTestId('webhook-row').count()).toBe(3);
    await page.getByText('The sender must also log in as grafana with HTTP basic auth.').waitFor();
    await page.keyboard.press('Escape');
    await messagesWithText(page, 'Faster builds').waitFor();
    await expect(messagesWithText(page, 'Faster builds').getByTestId('message-tags').innerText()).resolves.toBe('#gitlab');
  });

  test('in settings a member creates a bot and a token acting as it; the token, shown once, posts as the bot; revoking it stops it; a read-only token is listed with its scope and may not post; removing the bot stops its tokens', async () => {
    const dana = await registerUser(suite.h.server, uniqueName('dana'));
    const room = await createConversation(suite.h.server, dana.token, { kind: 'channel', name: uniqueName('bots'), visibility: 'public' });
    const page = await signedIn(suite, dana);
    await page.getByTestId('settings-open').click();
    const section = page.getByTestId('tokens-section');
    const bot = uniqueName('relbot');
    await section.getByTestId('bot-name').fill(bot);
    await section.getByTestId('bot-create').click();
    await expect.poll(() => section.getByTestId('token-for').inputValue()).not.toBe('');
    await section.getByTestId('token-label').fill('release script');
    await section.getByTestId('token-create').click();
    const token = await section.getByTestId('token-value').inputValue();
    expect(token).toMatch(/^pat_/);
    // The list refreshes after the token is shown: wait for the row rather than count at once.
    await expect.poll(() => section.getByTestId('token-row').filter({ hasText: 'release script' }).getByText(`@${bot}`).count()).toBe(1);
    await expect(section.getByTestId('token-row').filter({ hasText: 'release script' }).getByTestId('token-scopes').textContent(), 'every scope by default').resolves.toBe(
      'Scopes: Read, Post, Manage webhooks',
    );

    // The bot joins the channel and posts with the token, as a script would.
    const botUser = (await api<{ bots: { id: string; username: string }[] }>(suite.h.server, 'GET', '/bots', undefined, dana.token)).body.bots.find((b) => b.username === bot)!;
    expect((await api(suite.h.server, 'POST', `/conversations/${room.id}/members`, { user_id: botUser.id }, dana.token)).status).toBe(200);
    const send = () => api(suite.h.server, 'POST', `/conversations/${room.id}/messages`, { client_msg_id: crypto.randomUUID(), body: 'released' }, token);
    expect((await send()).status).toBe(201);

    await section.getByTestId('token-row').filter({ hasText: 'release script' }).getByTestId('token-revoke').click();
    await expect.poll(() => section.getByTestId('token-row').filter({ hasText: 'release script' }).count()).toBe(0);
    expect((await send()).status).toBe(401);

    // A read-only token of my own: listed with its scope; it reads but may not post.
    await expect(section.getByRole('checkbox', { name: 'Read' }).isChecked()).resolves.toBe(true);
    await section.getByTestId('token-for').selectOption('');
    await section.getByTestId('token-label').fill('dashboard');
    await section.getByRole('checkbox', { name: 'Post' }).uncheck();
    await section.getByRole('checkbox', { name: 'Manage webhooks' }).uncheck();
    await section.getByRole('checkbox', { name: 'Read' }).uncheck();
    await expect(section.getByTestId('token-create').isDisabled(), 'at least one scope').resolves.toBe(true);
    await section.getByText('Pick at least one scope.').waitFor();
    await section.getByRole('checkbox', { name: 'Read' }).check();
    await section.getByTestId('token-create').click();
    await expect.poll(() => section.getByTestId('token-value').inputValue()).not.toBe(token);
    const reader = await section.getByTestId('token-value').inputValue();
    const readerRow = section.getByTestId('token-row').filter({ hasText: 'dashboard' });
    await expect(readerRow.getByTestId('token-scopes').textContent()).resolves.toBe('Scopes: Read');
    const violations = (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(violations.map((v) => v.id)).toEqual([]);
    expect((await api(suite.h.server, 'GET', `/conversations/${room.id}/messages`, undefined, reader)).status).toBe(200);
    const refused = await fetch(`${suite.h.server.url}/api/v1/conversations/${room.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_msg_id: crypto.randomUUID(), body: 'not allowed' }),
    });
    expect(refused.status).toBe(403);

    // Removing the bot (after a confirm): it leaves the list and a new token of it stops working.
    await section.getByTestId('token-for').selectOption({ label: `@${bot}` });
    await section.getByTestId('token-label').fill('second');
    await section.getByTestId('token-create').click();
    await expect.poll(() => section.getByTestId('token-value').inputValue()).not.toBe(reader);
    const second = await section.getByTestId('token-value').inputValue();
    expect((await send()).status).toBe(401);
    const botRow = section.getByTestId('bot-row').filter({ hasText: `@${bot}` });
    await botRow.getByTestId('bot-remove').click();
    await botRow.getByTestId('bot-remove-confirm').click();
    await expect
      .poll(() =>
        section
          .getByTestId('bot-row')
          .filter({ hasText: `@${bot}` })
          .count(),
      )
      .toBe(0);
    expect((await api(suite.h.server, 'GET', '/me', undefined, second)).status).toBe(401);
  });
});
