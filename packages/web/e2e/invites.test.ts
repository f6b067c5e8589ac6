import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { api, registerUser } from '@parley/server/testing';
import type { Conversation, InviteList } from '@parley/protocol';
import { announceSkip, browserHarness, browserUnavailable, PASSWORD, runAxe, screenshot, sendViaApi, signedIn, uniqueName } from './support.js';

announceSkip();

async function seriousViolations(page: Page): Promise<string[]> {
  return (await runAxe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => v.id);
}

describe.skipIf(browserUnavailable !== null)('invitations, sign-up and a new workspace in the browser', { timeout: 180_000 }, () => {
  // A new invite-only workspace with its default #general, as a fresh install has.
  const suite = browserHarness({ registration: 'invite', defaultChannel: 'general' });

  test('an admin makes an invite link in settings; a newcomer opens it, is told in words (and in Chinese) what a username may hold, signs up, lands in #general with the guide, sees joined/renamed lines after a reload, and copies a code block', async () => {
    const admin = await registerUser(suite.h.server, uniqueName('admin'));
    const general = (await api<{ conversations: Conversation[] }>(suite.h.server, 'GET', '/conversations', undefined, admin.token)).body.conversations.find((c) => c.name === 'general')!;
    expect(general).toBeDefined();

    // The admin's Invitations section: a link for five people.
    const a = await signedIn(suite, admin);
    await a.getByTestId('settings-open').click();
    const section = a.getByTestId('invites-section');
    await section.getByTestId('invites-empty').waitFor();
    await section.getByTestId('invite-uses').selectOption('5');
    await section.getByTestId('invite-create').click();
    const link = await section.getByTestId('invite-link').inputValue();
    expect(link).toMatch(new RegExp(`^${suite.h.server.url}/invite/[A-Za-z0-9_-]{20,}$`));
    await expect.poll(() => section.getByTestId('invite-row').count()).toBe(1);
    await expect(section.getByTestId('invite-row').innerText()).resolves.toContain('0 of 5 used');
    expect(await seriousViolations(a)).toEqual([]);
    await section.scrollIntoViewIfNeeded();
    await screenshot(a, 'invites-settings');

    // A newcomer in another browser opens the link: sign-up, with the code filled in.
    const { page: b } = await suite.h.newPage({ permissions: ['clipboard-read', 'clipboard-write'] });
    suite.track(b);
    await b.goto(link.replace(suite.h.server.url, ''));
    await b.getByTestId('auth-invited').waitFor();
    await expect(b.getByTestId('auth-invite').inputValue()).resolves.toBe(link.split('/invite/')[1]);
    await expect.poll(() => new URL(b.url()).pathname).toBe('/');

    // A username that may not be: said in words as it is typed, never the schema's pattern.
    const hint = b.getByTestId('auth-username-hint');
    await b.getByTestId('auth-username').fill('new user!');
    await expect.poll(() => hint.innerText()).toContain('may contain only lowercase letters a–z, digits 0–9, dots (.), dashes (-) and underscores (_)');
    await expect(hint.innerText()).resolves.toContain('“␣!” is not allowed');
    await expect(b.getByTestId('auth-username').getAttribute('aria-invalid')).resolves.toBe('true');
    await b.getByTestId('auth-password').fill(PASSWORD);
    await b.getByTestId('auth-submit').click();
    await expect.poll(() => b.getByTestId('auth-error').innerText()).toContain('may contain only lowercase letters');
    expect(await b.getByText('must match pattern').count()).toBe(0);
    await b.getByTestId('auth-username').fill('_x');
    await expect.poll(() => hint.innerText()).toBe('A username starts with a lowercase letter (a–z) or a digit.');
    await b.getByTestId('language-select').selectOption('zh-CN');
    await expect.poll(() => hint.innerText()).toBe('用户名必须以小写字母（a–z）或数字开头。');
    await b.getByTestId('auth-username').fill('new user!');
    await expect.poll(() => hint.innerText()).toContain('用户名只能包含小写字母 a–z');
    expect(await seriousViolations(b)).toEqual([]);
    await screenshot(b, 'invite-sign-up-zh');
    await b.getByTestId('language-select').selectOption('en');

    const name = uniqueName('newbie');
    await b.getByTestId('auth-username').fill(name);
    await expect.poll(() => hint.innerText()).toBe('Lowercase letters, digits, dot, dash or underscore.');
    await b.getByTestId('auth-display-name').fill('Newbie Nora');
    await b.getByTestId('auth-submit').click();

    // Lands in #general, with the first-run guide.
    await b.waitForURL(`**/c/${general.id}`);
    const guide = b.getByTestId('first-run');
    await guide.waitFor();
    await expect(guide.innerText()).resolves.toContain('Ctrl+K');
    expect(await seriousViolations(b)).toEqual([]);
    await screenshot(b, 'first-run-guide');

    // The admin renames the channel and posts code and a task list.
    expect((await api(suite.h.server, 'PATCH', `/conversations/${general.id}`, { name: 'ops', topic: 'all things ops' }, admin.token)).status).toBe(200);
    await sendViaApi(suite.h.server, admin.token, general.id, 'Run this:\n```ts\nconst answer = 42;\n```\n- [x] deploy\n- [ ] announce');

    // After a reload the lines are still there, in log order, from the same events.
    await b.reload();
    await b.getByTestId('message-list').waitFor();
    const lines = b.getByTestId('notice-line');
    await expect.poll(async () => (await lines.allInnerTexts()).join(' | ')).toContain('Newbie Nora joined');
    const texts = await lines.allInnerTexts();
    expect(texts).toEqual(
      expect.arrayContaining([`${admin.user.username} joined`, 'Newbie Nora joined', `${admin.user.username} renamed the channel to #ops · ${admin.user.username} set the topic: all things ops`]),
    );
    expect(texts.indexOf('Newbie Nora joined')).toBeLessThan(texts.findIndex((x) => x.includes('renamed')));

    // The code block: its language, and a Copy button that copies exactly the code.
    const body = b.getByTestId('message-body').filter({ hasText: 'const answer' });
    await expect(body.getByTestId('code-lang').innerText()).resolves.toBe('ts');
    // "Copied" shows for a moment only: every label the button takes is recorded in the page, so a
    // busy machine polling late still sees it.
    const copy = body.getByTestId('code-copy');
    await copy.evaluate((el) => {
      const labels: string[] = [];
      Object.assign(window, { copyLabels: labels });
      new MutationObserver(() => labels.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
    });
    await copy.click();
    await expect.poll(() => b.evaluate(() => navigator.clipboard.readText())).toBe('const answer = 42;');
    await expect.poll(() => b.evaluate(() => (window as unknown as { copyLabels: string[] }).copyLabels)).toContain('Copied');
    await expect.poll(() => copy.innerText()).toBe('Copy code');
    // The task list: read-only checkboxes.
    const boxes = body.locator('input[type="checkbox"]');
    await expect(boxes.count()).resolves.toBe(2);
    await expect(boxes.nth(0).isChecked()).resolves.toBe(true);
    await expect(boxes.nth(1).isChecked()).resolves.toBe(false);
    await expect(boxes.nth(0).isDisabled()).resolves.toBe(true);
    expect(await seriousViolations(b)).toEqual([]);
    await screenshot(b, 'timeline-lines-and-code-block');

    // Dismissed, the guide stays away after a reload.
    await guide.getByTestId('first-run-dismiss').click();
    await guide.waitFor({ state: 'detached' });
    await b.reload();
    await b.getByTestId('message-list').waitFor();
    expect(await b.getByTestId('first-run').count()).toBe(0);

    // The admin's list says who used the link; revoking it stops it.
    const listed = await api<InviteList>(suite.h.server, 'GET', '/invites', undefined, admin.token);
    expect(listed.body.invites[0]).toMatchObject({ uses: 1, used_by: [{ username: name }] });
    await a.reload();
    await a.getByTestId('settings-open').click();
    const row = a.getByTestId('invites-section').getByTestId('invite-row');
    await expect.poll(() => row.innerText()).toContain(`Used by @${name}`);
    await row.getByTestId('invite-revoke').click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('revoked');
    const refused = await api(suite.h.server, 'POST', '/auth/register', { username: uniqueName('late'), password: PASSWORD, invite_code: link.split('/invite/')[1] });
    expect(refused.status).toBe(403);
  });
});
