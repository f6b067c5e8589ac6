import { describe, expect, test } from 'vitest';
import { createConversation, registerUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, messagesWithText, openConversation, signedIn, uniqueName } from './support.js';

announceSkip();

describe.skipIf(browserUnavailable !== null)('credentials pasted into the composer', { timeout: 90_000 }, () => {
  const suite = browserHarness();

  test('a key pasted into a message is shown masked to everyone, and its sender is told, only them', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const room = await createConversation(suite.h.server, alice.token, { kind: 'channel', name: uniqueName('ops'), visibility: 'public', member_ids: [bob.user.id] });
    const page = await signedIn(suite, alice);
    const other = await signedIn(suite, bob);
    await openConversation(page, room.id);
    await openConversation(other, room.id);
    const input = page.getByTestId('composer-input');
    await input.fill('deploy key is AKIAZ7QK3N5B2XW4LP6D, thanks');
    await input.press('Enter');
    await messagesWithText(page, 'deploy key is AKIA********LP6D, thanks').waitFor();
    const note = page.getByTestId('ephemeral-message').filter({ hasText: 'it was masked before it was stored' });
    await expect(note.textContent()).resolves.toContain('(aws)');
    await messagesWithText(other, 'deploy key is AKIA********LP6D, thanks').waitFor();
    expect(await other.getByTestId('ephemeral-message').count()).toBe(0);
    expect(await page.content()).not.toContain('AKIAZ7QK3N5B2XW4LP6D');
    expect(await other.content()).not.toContain('AKIAZ7QK3N5B2XW4LP6D');
  });
});
