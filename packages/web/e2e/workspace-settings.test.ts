/**
 * Live workspace settings in the browser: an owner sets the edit and recall windows, invite-only
 * sign-up and the size limits in Settings; the server has them at once, they read back after a
 * reload, a newcomer's sign-up without an invite code is refused in words, and a message over the
 * new length is refused.
 */
import { describe, expect, test } from 'vitest';
import type { WorkspaceSettings } from '@parley/protocol';
import { api } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, PASSWORD, registerInUi, uniqueName } from './support.js';

announceSkip();

describe.skipIf(browserUnavailable !== null)('workspace settings in the browser', { timeout: 90_000 }, () => {
  const suite = browserHarness({ editWindowMs: 600_000, recallWindowMs: 600_000 });

  test('an owner sets the windows and invite-only sign-up; they hold on the server at once and read back after a reload', async () => {
    const owner = await suite.h.newPage();
    suite.track(owner.page);
    await owner.page.goto('/');
    const name = uniqueName('own');
    await registerInUi(owner.page, name, 'Owner');
    await owner.page.getByTestId('settings-open').click();
    const edit = owner.page.getByTestId('edit-window');
    await expect.poll(() => edit.isEnabled()).toBe(true);
    expect(await edit.inputValue()).toBe('600000');
    await edit.selectOption({ label: 'Not at all' });
    await expect.poll(() => edit.isEnabled()).toBe(true);
    const recall = owner.page.getByTestId('recall-window');
    await recall.selectOption({ label: 'As long as they like' });
    await expect.poll(() => recall.isEnabled()).toBe(true);
    await owner.page.getByTestId('registration').selectOption('invite');
    await expect.poll(() => owner.page.getByTestId('registration').isEnabled()).toBe(true);
    // Limits apply when the field is left or Enter is pressed; a value out of range is refused in words.
    const chars = owner.page.getByTestId('max-message-chars');
    await chars.fill('0');
    await chars.press('Enter');
    expect(await chars.inputValue()).not.toBe('0');
    await chars.fill('2000000');
    await chars.press('Enter');
    await expect.poll(() => owner.page.getByTestId('workspace-security').getByRole('alert').textContent()).toContain('from 1 to 1000000');
    await chars.fill('20');
    await chars.press('Enter');
    await expect.poll(() => chars.isEnabled()).toBe(true);
    const upload = owner.page.getByTestId('max-upload-mb');
    await upload.fill('2.5');
    await upload.press('Tab');

    const token = (await api<{ access_token: string }>(suite.h.server, 'POST', '/auth/login', { username: name, password: PASSWORD })).body.access_token;
    await expect
      .poll(async () => (await api<WorkspaceSettings>(suite.h.server, 'GET', '/admin/settings', undefined, token)).body)
      .toMatchObject({ edit_window_ms: 0, recall_window_ms: null, registration: 'invite', max_message_chars: 20, max_upload_bytes: 2.5 * 1024 * 1024 });
    const room = await api<{ id: string }>(suite.h.server, 'POST', '/conversations', { kind: 'channel', name: uniqueName('lim'), visibility: 'public', member_ids: [] }, token);
    const long = await api(suite.h.server, 'POST', `/conversations/${room.body.id}/messages`, { client_msg_id: crypto.randomUUID(), body: 'x'.repeat(21) }, token);
    expect(long.status).toBe(413);

    await owner.page.reload();
    await owner.page.getByTestId('settings-open').click();
    // Usable once the settings arrived (until then a select shows its first option).
    await expect.poll(() => owner.page.getByTestId('edit-window').isEnabled()).toBe(true);
    expect(await owner.page.getByTestId('edit-window').inputValue()).toBe('0');
    expect(await owner.page.getByTestId('recall-window').inputValue()).toBe('unlimited');
    expect(await owner.page.getByTestId('registration').inputValue()).toBe('invite');
    expect(await owner.page.getByTestId('max-message-chars').inputValue()).toBe('20');
    expect(await owner.page.getByTestId('max-upload-mb').inputValue()).toBe('2.5');

    // A newcomer without an invite code is told why.
    const { page } = await suite.h.newPage();
    suite.track(page);
    await page.goto('/');
    await page.getByTestId('auth-toggle').click();
    await page.getByTestId('auth-username').fill(uniqueName('new'));
    await page.getByTestId('auth-password').fill(PASSWORD);
    await page.getByTestId('auth-display-name').fill('Newcomer');
    await page.getByTestId('auth-submit').click();
    await expect.poll(() => page.getByTestId('auth-error').textContent()).toContain('invite code');
  });
});
