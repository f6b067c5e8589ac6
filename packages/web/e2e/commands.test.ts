import { describe, expect, test } from 'vitest';
import type { Conversation } from '@parley/protocol';
import { api, createConversation, registerUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, signedIn, messagesWithText, openConversation, uniqueName } from './support.js';

announceSkip();

describe.skipIf(browserUnavailable !== null)('slash commands in the composer', { timeout: 90_000 }, () => {
  const suite = browserHarness();

  test('typing / lists the commands; /me, /shrug and /code post formatted messages; /topic, /invite and /leave act; a typo is explained and nothing is sent', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const carol = await registerUser(suite.h.server, uniqueName('carol'));
    const room = await createConversation(suite.h.server, alice.token, { kind: 'channel', name: uniqueName('cmds'), visibility: 'public' });
    const page = await signedIn(suite, alice);
    await openConversation(page, room.id);
    const input = page.getByTestId('composer-input');

    await input.fill('/');
    await page.getByTestId('command-suggestions').waitFor();
    expect(await page.getByTestId('command-option').evaluateAll((els) => els.map((e) => e.getAttribute('data-command')))).toEqual([
      'me',
      'shrug',
      'code',
      'burn',
      'topic',
      'invite',
      'leave',
      'mute',
      'remind',
      'tag',
      'help',
    ]);
    await input.pressSequentially('sh');
    await input.press('Enter');
    await expect(input.inputValue()).resolves.toBe('/shrug ');
    await input.pressSequentially('no idea');
    await input.press('Enter');
    await messagesWithText(page, 'no idea ¯\\_(ツ)_/¯').waitFor();

    await input.fill('/me is deploying');
    await input.press('Enter');
    await expect(messagesWithText(page, 'is deploying').locator('em').textContent()).resolves.toBe('is deploying');
    await input.fill('/code ts const answer: number = 42;');
    await input.press('Enter');
    await messagesWithText(page, 'const answer').locator('pre code').waitFor();

    await input.fill('/deploy prod');
    await input.press('Enter');
    await expect(page.getByRole('alert').filter({ hasText: 'No command /deploy' }).count()).resolves.toBe(1);
    await expect(input.inputValue()).resolves.toBe('/deploy prod');
    await input.fill('//deploy prod');
    await input.press('Enter');
    await messagesWithText(page, '/deploy prod').waitFor();

    await input.fill('/topic Release week');
    await input.press('Enter');
    await page.getByTestId('conversation-header').getByText('Release week').waitFor();
    await input.fill(`/invite @${carol.user.username}`);
    await input.press('Enter');
    await expect.poll(async () => (await api<Conversation>(suite.h.server, 'GET', `/conversations/${room.id}`, undefined, carol.token)).body.membership?.left_seq, { timeout: 5000 }).toBeNull();

    await input.fill('/leave');
    await input.press('Enter');
    await expect.poll(() => page.locator(`[data-testid="conv-item"][data-conv-id="${room.id}"]`).count()).toBe(0);
    const after = await api<Conversation>(suite.h.server, 'GET', `/conversations/${room.id}`, undefined, alice.token);
    expect(after.body.membership?.left_seq).not.toBeNull();
  });

  test('/mute quiets a channel on every device of mine (no unread count, a muted mark), not for anyone else; unmuting brings the count back', async () => {
    const dana = await registerUser(suite.h.server, uniqueName('dana'));
    const eli = await registerUser(suite.h.server, uniqueName('eli'));
    const noisy = await createConversation(suite.h.server, dana.token, { kind: 'channel', name: uniqueName('noisy'), visibility: 'public', member_ids: [eli.user.id] });
    const quiet = await createConversation(suite.h.server, dana.token, { kind: 'channel', name: uniqueName('quiet'), visibility: 'public' });
    const page = await signedIn(suite, dana);
    const other = await signedIn(suite, dana);
    const eliPage = await signedIn(suite, eli);
    // The other device looks at another conversation, so the noisy one's count is not read away.
    await openConversation(other, quiet.id);
    await openConversation(page, noisy.id);
    await page.getByTestId('composer-input').fill('/mute');
    await page.getByTestId('composer-input').press('Enter');
    const item = (p: typeof page) => p.locator(`[data-testid="conv-item"][data-conv-id="${noisy.id}"]`);
    // My other device learns it live; Eli's view is untouched.
    await item(other).and(other.locator('.muted')).waitFor();
    await item(page).and(page.locator('.muted')).waitFor();
    await expect(item(eliPage).getAttribute('class')).resolves.not.toContain('muted');

    await openConversation(page, quiet.id);
    await api(suite.h.server, 'POST', `/conversations/${noisy.id}/messages`, { client_msg_id: uniqueName('m'), body: 'chatter' }, eli.token);
    await expect.poll(async () => (await api<Conversation>(suite.h.server, 'GET', `/conversations/${noisy.id}`, undefined, dana.token)).body.unread_count).toBe(1);
    await page.waitForTimeout(300);
    await expect(item(page).getAttribute('data-unread')).resolves.toBe('0');
    await expect(item(other).getAttribute('data-unread')).resolves.toBe('0');

    // Unmuted elsewhere (without reading it): both devices show the count again.
    await api(suite.h.server, 'PUT', `/conversations/${noisy.id}/mute`, { muted: false }, dana.token);
    for (const p of [page, other]) {
      await expect.poll(() => item(p).getAttribute('class')).not.toContain('muted');
      await expect.poll(() => item(p).getAttribute('data-unread')).toBe('1');
    }
  });

  test('/remind: a time the server cannot read is explained in its words and the text stays; "me in 1s …" is confirmed only to me, here, and the Parley bot brings it in a DM moments later, unread', async () => {
    const erin = await registerUser(suite.h.server, uniqueName('erin'));
    const room = await createConversation(suite.h.server, erin.token, { kind: 'channel', name: uniqueName('remind'), visibility: 'public' });
    const page = await signedIn(suite, erin);
    await openConversation(page, room.id);
    const input = page.getByTestId('composer-input');

    await input.pressSequentially('/rem');
    await page.locator('[data-testid="command-option"][data-command="remind"]').filter({ hasText: 'Set a reminder' }).waitFor();
    await input.press('Enter');
    await expect(input.inputValue()).resolves.toBe('/remind ');
    await input.press('Enter');
    await expect(page.getByRole('alert').filter({ hasText: 'Usage: /remind me in 10m check deploy' }).count()).resolves.toBe(1);
    await input.fill('/remind me whenever it suits');
    await input.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Write it as /remind me in 10m' }).waitFor();
    await expect(input.inputValue()).resolves.toBe('/remind me whenever it suits');

    await input.fill('/remind me in 1s test reminder');
    await input.press('Enter');
    const confirmation = page.getByTestId('ephemeral-message').filter({ hasText: 'test reminder' });
    await confirmation.waitFor();
    await expect(confirmation.getByTestId('ephemeral-label').textContent()).resolves.toBe('Only visible to you');
    await expect(input.inputValue()).resolves.toBe('');

    const dm = page.locator('[data-testid="conv-item"][data-kind="dm"]').filter({ hasText: 'Parley' });
    await dm.waitFor({ timeout: 10_000 });
    await expect.poll(() => dm.getAttribute('data-unread'), { timeout: 10_000 }).toBe('1');
    await dm.click();
    const reminder = messagesWithText(page, 'test reminder');
    await reminder.waitFor();
    await expect(reminder.locator('.sender').textContent()).resolves.toBe('Parley');
  });
});
