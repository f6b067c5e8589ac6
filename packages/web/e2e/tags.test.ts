import { describe, expect, test } from 'vitest';
import { createConversation, registerUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, messagesWithText, openConversation, runAxe, signedIn, uniqueName } from './support.js';

announceSkip();

describe.skipIf(browserUnavailable !== null)('message tags in the browser', { timeout: 90_000 }, () => {
  const suite = browserHarness();

  test('#tags in a message show as chips for everyone; /tag adds and removes one live; the header lists the tags and picking one searches them', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const room = await createConversation(suite.h.server, alice.token, { kind: 'channel', name: uniqueName('releases'), visibility: 'public', member_ids: [bob.user.id] });
    const a = await signedIn(suite, alice);
    const b = await signedIn(suite, bob);
    await openConversation(a, room.id);
    await openConversation(b, room.id);

    await a.getByTestId('composer-input').fill('Release 2.3 is out #release, see `#not-a-tag`');
    await a.keyboard.press('Enter');
    const onA = messagesWithText(a, 'Release 2.3 is out');
    await expect.poll(() => onA.getByTestId('message-tags').innerText()).toBe('#release');
    const onB = messagesWithText(b, 'Release 2.3 is out');
    await expect.poll(() => onB.getByTestId('message-tags').innerText()).toBe('#release');

    // Bob tags the latest message; Alice sees the chip arrive.
    await b.getByTestId('composer-input').fill('/tag Urgent');
    await b.keyboard.press('Enter');
    await expect.poll(() => onA.getByTestId('message-tags').locator('.tag-chip').allInnerTexts()).toEqual(['#release', '#urgent']);
    await expect(b.getByTestId('composer-input').inputValue(), 'the command ran and cleared').resolves.toBe('');

    await a.getByTestId('open-tags').click();
    const popover = a.getByTestId('tags-popover');
    await expect.poll(() => popover.getByTestId('tag-count').allInnerTexts()).toEqual(['#release\n1 message', '#urgent\n1 message']);
    const violations = (await runAxe(a)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(violations.map((v) => v.id)).toEqual([]);
    await popover.getByTestId('tag-count').first().click();
    await expect.poll(() => a.getByTestId('search-input').inputValue()).toBe(`tag:release in:#${room.name} `);
    await a.getByTestId('search-hit').first().waitFor();
    await expect(a.getByTestId('search-hit').count()).resolves.toBe(1);
    await a.keyboard.press('Escape');

    // Bob takes his tag off again; the text's tag stays.
    await b.getByTestId('composer-input').fill('/tag -urgent');
    await b.keyboard.press('Enter');
    await expect.poll(() => onA.getByTestId('message-tags').locator('.tag-chip').allInnerTexts()).toEqual(['#release']);
    // A tag from the text cannot be taken off that way: the server says why and the text stays to fix.
    await b.getByTestId('composer-input').fill('/tag -release');
    await b.keyboard.press('Enter');
    await b.getByText('is in the message').waitFor();
    await expect(b.getByTestId('composer-input').inputValue()).resolves.toBe('/tag -release');
  });
});
