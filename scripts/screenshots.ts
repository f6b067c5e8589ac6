/**
 * The README's and docs' pictures of the web client: `npm run screenshots`.
 *
 * Starts a Parley on a fresh data directory serving the production build, fills a channel with
 * what a team's day looks like (Markdown, a highlighted code block and a diff, a thread, reactions,
 * a pin, a status), and photographs it in headless Chromium: light and dark, a phone, the details
 * panel and the emoji picker. Writes docs/images/*.png. Nothing here is asserted: the browser
 * suites test these screens; this only keeps the pictures true to what the app looks like now.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { api, createConversation, registerUser, type TestUser } from '@parley/server/testing';
import type { Message } from '@parley/protocol';
import { CHROMIUM_PATH, REPO_ROOT, loginInUi, openConversation, startHarness, type Harness } from '../packages/web/e2e/support.js';

const OUT = path.join(REPO_ROOT, 'docs', 'images');

async function person(server: { url: string }, username: string, displayName: string, status?: { text: string; emoji: string }): Promise<TestUser> {
  const u = await registerUser(server, username);
  const res = await api(server, 'PATCH', '/me', { display_name: displayName, ...(status ? { status_text: status.text, status_emoji: status.emoji } : {}) }, u.token);
  if (res.status !== 200) throw new Error(`profile of ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return u;
}

async function say(server: { url: string }, u: TestUser, convId: string, body: string, replyTo?: string): Promise<Message> {
  const res = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { body, client_msg_id: crypto.randomUUID(), ...(replyTo ? { reply_to: replyTo } : {}) }, u.token);
  if (res.status !== 201 && res.status !== 200) throw new Error(`send: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function react(server: { url: string }, u: TestUser, id: string, emoji: string): Promise<void> {
  const res = await api(server, 'POST', `/messages/${id}/reactions`, { emoji }, u.token);
  if (res.status !== 200) throw new Error(`react: ${res.status} ${JSON.stringify(res.body)}`);
}

async function open(h: Harness, u: TestUser, convId: string, options: BrowserContextOptions = {}): Promise<Page> {
  const { page } = await h.newPage(options);
  await page.goto('/');
  await loginInUi(page, u.user.username);
  await openConversation(page, convId);
  // The code block's colours arrive with the lazily loaded highlighter.
  await page.locator('pre.highlighted').first().waitFor();
  await page.mouse.move(700, 760);
  return page;
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(300);
  const file = path.join(OUT, name);
  await page.screenshot({ path: file, animations: 'disabled' });
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, file)}\n`);
}

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} not found: install Chromium (apt-get install -y chromium)`);
  // The browser suites' harness: the production build served by a fresh server, and Chromium.
  const h = await startHarness();
  const server = h.server;
  try {
    const alice = await person(server, 'alice', 'Alice Chen', { text: 'Shipping 1.4', emoji: '🚀' });
    const bob = await person(server, 'bob', 'Bob Martin');
    const carol = await person(server, 'carol', 'Carol Diaz', { text: 'On call', emoji: '📟' });
    const room = await createConversation(server, alice.token, {
      kind: 'channel',
      name: 'launch',
      visibility: 'public',
      topic: 'Release 1.4: Tuesday 10:00',
      member_ids: [bob.user.id, carol.user.id],
    });
    await createConversation(server, alice.token, { kind: 'channel', name: 'ops', visibility: 'public', member_ids: [bob.user.id, carol.user.id] });
    await createConversation(server, alice.token, { kind: 'dm', user_id: carol.user.id });

    const plan = await say(server, bob, room.id, 'Morning! The **release branch** is cut. Two things before Tuesday:\n\n1. the migration for `notify_level`\n2. a last look at the sidebar badges');
    await say(server, carol, room.id, 'Migration is fine on a copy of production: 41 s, no locks held.', plan.id);
    await say(server, alice, room.id, 'Thanks! I will review the badges after lunch.', plan.id);
    await say(
      server,
      alice,
      room.id,
      'The unread count was off by one for muted channels. The fix:\n\n```ts\nconst unread = conversations\n  .filter((c) => !c.membership?.muted)\n  .reduce((n, c) => n + c.unread_count, 0);\n```',
    );
    await say(server, carol, room.id, '```diff\n- if (c.unread_count > 0) badge++;\n+ if (c.unread_count > 0 && !c.membership?.muted) badge++;\n```');
    const decision = await say(server, bob, room.id, 'Decision: we launch **Tuesday at 10:00**, @carol has the pager. See the [runbook](https://example.com/runbook).');
    await api(server, 'POST', `/messages/${decision.id}/pin`, undefined, alice.token);
    await react(server, alice, decision.id, '🚀');
    await react(server, carol, decision.id, '🚀');
    await react(server, carol, decision.id, '👍');
    await say(server, carol, room.id, 'Deal. 🎉');

    const light = await open(h, alice, room.id, { colorScheme: 'light' });
    await shoot(light, 'web-conversation-light.png');
    await light.getByTestId('open-details').click();
    await light.getByTestId('details-tab-members').click();
    await light.getByTestId('details-members').waitFor();
    await shoot(light, 'details-panel.png');
    await light.getByTestId('details-close').click();
    await light.getByTestId('composer-emoji').click();
    await light.getByTestId('emoji-picker').waitFor();
    await shoot(light, 'emoji-picker.png');
    await light.context().close();

    const dark = await open(h, alice, room.id, { colorScheme: 'dark' });
    await shoot(dark, 'web-conversation-dark.png');
    await dark.context().close();

    const phone = await open(h, carol, room.id, { colorScheme: 'light', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await shoot(phone, 'web-phone.png');
    await phone.context().close();
  } finally {
    await h.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`screenshots failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
