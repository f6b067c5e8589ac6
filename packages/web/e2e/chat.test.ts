import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { SocketClient, createConversation, registerUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, historyViaApi, loginInUi, messagesWithText, openConversation, registerInUi, sendViaApi, startDmInUi, uniqueName } from './support.js';

announceSkip();

describe.skipIf(browserUnavailable !== null)('chatting in the browser', { timeout: 45_000 }, () => {
  const suite = browserHarness();

  async function open() {
    const opened = await suite.h.newPage();
    suite.track(opened.page);
    return opened;
  }

  test('Alice and Bob register in two browsers, open a DM and chat live, with typing and read receipts', async () => {
    const alice = uniqueName('alice');
    const bob = uniqueName('bob');
    const { page: a } = await open();
    const { page: b } = await open();
    await Promise.all([a.goto('/'), b.goto('/')]);
    await registerInUi(a, alice, 'Alice Liddell');
    await registerInUi(b, bob, 'Bob Builder');

    const convId = await startDmInUi(a, bob);
    await a
      .getByTestId('conversation-header')
      .filter({ hasText: /Bob Builder|bob/ })
      .waitFor();

    // Alice writes; she sees it sent, and it shows up in Bob's sidebar as unread without a reload.
    await a.getByTestId('composer-input').fill('Hi Bob, lunch at noon?');
    await a.getByTestId('composer-input').press('Enter');
    const sentByAlice = messagesWithText(a, 'Hi Bob, lunch at noon?');
    await expect.poll(() => sentByAlice.getAttribute('data-status'), { timeout: 10_000 }).toBe('sent');
    await expect(a.getByTestId('composer-input').inputValue(), 'Enter sends and clears the composer').resolves.toBe('');

    const bobsItem = b.locator(`[data-testid="conv-item"][data-conv-id="${convId}"]`);
    await bobsItem.waitFor();
    await expect.poll(() => bobsItem.getAttribute('data-unread'), { timeout: 10_000 }).toBe('1');
    await openConversation(b, convId);
    const received = messagesWithText(b, 'Hi Bob, lunch at noon?');
    await received.waitFor();
    expect(await received.getAttribute('data-sender')).toBe(alice);

    // Bob has looked at the message, so Alice sees a read receipt.
    await a.getByTestId('seen-by').waitFor({ timeout: 10_000 });

    // While Alice types, Bob sees it; once she sends, the indicator goes away.
    await a.getByTestId('composer-input').pressSequentially('Or maybe at one', { delay: 30 });
    await b.getByTestId('typing-indicator').waitFor({ timeout: 10_000 });
    await a.getByTestId('composer-input').press('Enter');
    await messagesWithText(b, 'Or maybe at one').waitFor();
    await b.getByTestId('typing-indicator').waitFor({ state: 'hidden', timeout: 10_000 });

    // Bob answers; Alice sees it live, in order, attributed to Bob.
    await b.getByTestId('composer-input').fill('Noon works');
    await b.getByTestId('composer-input').press('Enter');
    const reply = messagesWithText(a, 'Noon works');
    await reply.waitFor();
    expect(await reply.getAttribute('data-sender')).toBe(bob);
    const bodiesOnA = await a.getByTestId('message-body').allInnerTexts();
    const order = ['Hi Bob, lunch at noon?', 'Or maybe at one', 'Noon works'].map((t) => bodiesOnA.findIndex((x) => x.includes(t)));
    expect(order, 'both messages in the order they were sent').toEqual([...order].sort((x, y) => x - y));
    expect(order.every((i) => i >= 0)).toBe(true);
  });

  test('a reload keeps the conversation, and a message written offline is sent once when the network returns', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const dm = await createConversation(suite.h.server, alice.token, { kind: 'dm', user_id: bob.user.id });
    await sendViaApi(suite.h.server, alice.token, dm.id, 'first, from before the reload');
    await sendViaApi(suite.h.server, bob.token, dm.id, 'second, also from before');

    const { context: aContext, page: a } = await open();
    const { page: b } = await open();
    await Promise.all([a.goto('/'), b.goto('/')]);
    await loginInUi(a, alice.user.username);
    await loginInUi(b, bob.user.username);
    await openConversation(a, dm.id);
    await openConversation(b, dm.id);
    await messagesWithText(a, 'second, also from before').waitFor();

    await a.reload();
    await a.getByTestId('message-list').waitFor();
    expect(new URL(a.url()).pathname).toBe(`/c/${dm.id}`);
    await messagesWithText(a, 'first, from before the reload').waitFor();
    await messagesWithText(a, 'second, also from before').waitFor();
    await expect(a.getByTestId('auth-username').count(), 'still signed in after a reload').resolves.toBe(0);

    await aContext.setOffline(true);
    await a.getByTestId('offline-banner').waitFor();
    const body = `written on the train ${randomUUID().slice(0, 8)}`;
    await a.getByTestId('composer-input').fill(body);
    await a.getByTestId('composer-input').press('Enter');
    const mine = messagesWithText(a, body);
    await mine.waitFor();
    expect(await mine.getAttribute('data-status'), 'a message written offline waits as pending').toBe('pending');

    await aContext.setOffline(false);
    await a.getByTestId('offline-banner').waitFor({ state: 'hidden', timeout: 15_000 });
    await expect.poll(() => mine.getAttribute('data-status'), { timeout: 15_000 }).toBe('sent');
    await messagesWithText(b, body).waitFor({ timeout: 15_000 });

    const stored = (await historyViaApi(suite.h.server, bob.token, dm.id)).filter((m) => m.body === body);
    expect(stored, 'exactly one stored message with that body').toHaveLength(1);
    await expect(messagesWithText(a, body).count(), 'shown once to Alice').resolves.toBe(1);
    await expect(messagesWithText(b, body).count(), 'shown once to Bob').resolves.toBe(1);
    expect(await messagesWithText(b, body).getAttribute('data-sender')).toBe(alice.user.username);
  });
  test('at the account’s socket cap the page says why it cannot connect, and connects once a socket frees up and you retry', async () => {
    const server = suite.h.server;
    const carol = await registerUser(server, uniqueName('carol'));
    const first = await SocketClient.connect(server, carol.token);
    const cap = first.hello!.limits.max_sockets_per_user;
    const held = [first, ...(await Promise.all(Array.from({ length: cap - 1 }, () => SocketClient.connect(server, carol.token))))];
    try {
      const { page } = await open();
      await page.goto('/');
      await loginInUi(page, carol.user.username);
      const banner = page.getByTestId('offline-banner');
      await banner.filter({ hasText: /too many tabs or devices/ }).waitFor();
      await held.shift()!.close();
      await banner.getByRole('button', { name: 'Retry now' }).click();
      await banner.waitFor({ state: 'detached' });
    } finally {
      await Promise.all(held.map((s) => s.close()));
    }
  });
  test('a send the server refuses stays on screen with its reason after a reload, and Retry then sends it once', async () => {
    const server = suite.h.server;
    const ann = await registerUser(server, uniqueName('ann'));
    const ben = await registerUser(server, uniqueName('ben'));
    const dm = await createConversation(server, ann.token, { kind: 'dm', user_id: ben.user.id });
    const { page } = await open();
    // The server's refusal, played at the protocol level: an error frame answering the send.
    let refuse = true;
    await page.routeWebSocket(/\/ws$/, (ws) => {
      const upstream = ws.connectToServer();
      ws.onMessage((m) => {
        const frame = JSON.parse(String(m)) as { id?: string; type?: string };
        if (refuse && frame.type === 'message.send') ws.send(JSON.stringify({ type: 'error', id: frame.id, error: { code: 'forbidden', message: 'Refused by the test.' } }));
        else upstream.send(m);
      });
    });
    await page.goto('/');
    await loginInUi(page, ann.user.username);
    await openConversation(page, dm.id);
    const body = `refused once ${randomUUID().slice(0, 8)}`;
    await page.getByTestId('composer-input').fill(body);
    await page.getByTestId('composer-input').press('Enter');
    const row = messagesWithText(page, body);
    await expect.poll(() => row.getAttribute('data-status')).toBe('failed');
    // Kept in this account's IndexedDB (saved a moment after the failure), so a reload finds it.
    await expect
      .poll(() =>
        page.evaluate(
          async ({ name, key }) =>
            new Promise<number>((resolve) => {
              const req = indexedDB.open(name);
              req.onsuccess = () => {
                const get = req.result.transaction('kv').objectStore('kv').get(key);
                get.onsuccess = () => resolve(((get.result as unknown[] | undefined) ?? []).length);
              };
            }),
          { name: `parley-${ann.user.id}`, key: 'failed_sends' },
        ),
      )
      .toBe(1);

    refuse = false;
    await page.reload();
    await row.waitFor();
    await expect(row.getAttribute('data-status')).resolves.toBe('failed');
    await expect(row.getByRole('alert').textContent()).resolves.toContain('you may not post here');
    await row.getByTestId('message-retry').click();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('sent');
    const stored = (await historyViaApi(server, ben.token, dm.id)).filter((m) => m.body === body);
    expect(stored, 'stored once').toHaveLength(1);
  });
  test('a long thread opens at its latest replies, and "Show earlier replies" loads the rest', async () => {
    const server = suite.h.server;
    const ann = await registerUser(server, uniqueName('ann'));
    const ben = await registerUser(server, uniqueName('ben'));
    const dm = await createConversation(server, ann.token, { kind: 'dm', user_id: ben.user.id });
    const root = await sendViaApi(server, ben.token, dm.id, 'the long thread');
    const total = 205;
    for (let i = 0; i < total; i += 25) await Promise.all(Array.from({ length: Math.min(25, total - i) }, (_, k) => sendViaApi(server, ben.token, dm.id, `reply ${i + k}`, root.id)));
    const { page } = await open();
    await page.goto('/');
    await loginInUi(page, ann.user.username);
    await openConversation(page, dm.id);
    await page.locator(`[data-testid="message"][data-message-id="${root.id}"] .thread-summary`).click();
    const panel = page.getByTestId('thread-panel');
    const rows = panel.getByTestId('message');
    const older = panel.getByTestId('thread-older');
    await older.waitFor();
    // The root and the latest page (the server's history page size, 200): the newest reply is there.
    await expect.poll(() => rows.count()).toBe(1 + 200);
    const reply = (n: number) => panel.getByTestId('message-body').getByText(`reply ${n}`, { exact: true });
    await reply(total - 1).waitFor();
    await expect(reply(4).count()).resolves.toBe(0);
    await older.click();
    await expect.poll(() => rows.count()).toBe(1 + total);
    await older.waitFor({ state: 'detached' });
    await reply(0).waitFor();
  });
});
