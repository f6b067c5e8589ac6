import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { Conversation } from '@parley/protocol';
import { api, createConversation, registerUser, type TestUser } from '@parley/server/testing';
import { announceSkip, browserHarness, browserUnavailable, loginInUi, messagesWithText, openConversation, sendViaApi, uniqueName } from './support.js';

announceSkip();

describe.skipIf(browserUnavailable !== null)('rendering messages in the browser', { timeout: 45_000 }, () => {
  const suite = browserHarness();

  /** Alice (REST) and Bob (signed in to a browser) in a fresh DM. */
  async function dmWithBobInBrowser(): Promise<{ alice: TestUser; bob: TestUser; convId: string; page: Page; dialogs: string[] }> {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const dm = await createConversation(suite.h.server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const { page } = await suite.h.newPage();
    suite.track(page);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss().catch(() => undefined);
    });
    await page.goto('/');
    await loginInUi(page, bob.user.username);
    return { alice, bob, convId: dm.id, page, dialogs };
  }

  test('the app runs under the server’s Content-Security-Policy: an injected inline script or a foreign image is refused, and the refusal is reported (a test with one fails)', async () => {
    const { page, convId } = await dmWithBobInBrowser();
    await openConversation(page, convId);
    const ran = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.append(s);
      const img = document.createElement('img');
      img.src = 'https://tracker.example.com/pixel.png';
      document.body.append(img);
      await new Promise((r) => setTimeout(r, 300));
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
    // Taken (and checked) here, so this test does not fail for them; any other refusal fails its test.
    const refused: string[] = [];
    await expect
      .poll(
        () => {
          refused.push(...suite.h.takeCspViolations());
          return refused.join('\n');
        },
        { timeout: 5_000 },
      )
      .toMatch(/script-src-elem refused inline[\s\S]*img-src refused https:\/\/tracker\.example\.com|img-src refused https:\/\/tracker\.example\.com[\s\S]*script-src-elem refused inline/);
  });

  test('@here is a mention, badge and highlight, for a member whose browser was online when it was sent, and not for one who was offline', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const carol = await registerUser(suite.h.server, uniqueName('carol'));
    const group = await createConversation(suite.h.server, alice.token, { kind: 'group', member_ids: [bob.user.id, carol.user.id] });
    const { page } = await suite.h.newPage();
    suite.track(page);
    await page.goto('/');
    await loginInUi(page, bob.user.username);
    await expect.poll(async () => (await api<{ presence: { status: string } }>(suite.h.server, 'GET', `/users/${bob.user.id}`, undefined, alice.token)).body.presence.status).toBe('online');

    await sendViaApi(suite.h.server, alice.token, group.id, '@here the build is green');
    // Bob's badge comes from the pushed message, folded by the web store; Carol's count from the server.
    await expect.poll(() => page.locator(`[data-testid="conv-item"][data-conv-id="${group.id}"] [data-testid="mention-badge"]`).textContent()).toBe('@1');
    const carolList = await api<{ conversations: Conversation[] }>(suite.h.server, 'GET', '/conversations', undefined, carol.token);
    expect(carolList.body.conversations.find((c) => c.id === group.id)?.mention_count).toBe(0);

    await openConversation(page, group.id);
    const here = messagesWithText(page, 'the build is green').locator('[data-mention="here"]');
    await expect.poll(() => here.getAttribute('class')).toBe('mention mention-me');
  });

  test('a reaction the server refuses says so in the toast and leaves the reactions as they were', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const dm = await createConversation(suite.h.server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const msg = await sendViaApi(suite.h.server, alice.token, dm.id, 'react to this');
    await api(suite.h.server, 'POST', `/messages/${msg.id}/reactions`, { emoji: '👍' }, alice.token);
    const { page } = await suite.h.newPage();
    suite.track(page);
    // Between the page and the server: every frame passes, except that reaction requests are
    // answered with an error frame, as a server fault would be.
    await page.routeWebSocket('**/ws', (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((frame) => {
        const f = JSON.parse(String(frame)) as { id: string; type: string };
        if (f.type === 'reaction.add' || f.type === 'reaction.remove') ws.send(JSON.stringify({ type: 'error', id: f.id, error: { code: 'internal', message: 'Something went wrong on our side.' } }));
        else server.send(frame);
      });
    });
    await page.goto('/');
    await loginInUi(page, bob.user.username);
    await openConversation(page, dm.id);
    const thumbs = messagesWithText(page, 'react to this').locator('[data-testid="reaction"][data-emoji="👍"]');
    await thumbs.click();
    await expect.poll(() => page.locator('.toast').textContent()).toBe('The reaction could not be changed. Try again.');
    expect(await thumbs.getAttribute('data-count')).toBe('1');
    expect(await thumbs.getAttribute('aria-pressed')).toBe('false');
  });

  test('a reaction clicked on and off again at once sends nothing; clicked once, it is sent once and shown at once', async () => {
    const alice = await registerUser(suite.h.server, uniqueName('alice'));
    const bob = await registerUser(suite.h.server, uniqueName('bob'));
    const dm = await createConversation(suite.h.server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const msg = await sendViaApi(suite.h.server, alice.token, dm.id, 'toggle me');
    await api(suite.h.server, 'POST', `/messages/${msg.id}/reactions`, { emoji: '👍' }, alice.token);
    const { page } = await suite.h.newPage();
    suite.track(page);
    // Counts the reaction requests that leave the page; every frame still reaches the server.
    const sent: string[] = [];
    await page.routeWebSocket('**/ws', (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((frame) => {
        const f = JSON.parse(String(frame)) as { type: string };
        if (f.type === 'reaction.add' || f.type === 'reaction.remove') sent.push(f.type);
        server.send(frame);
      });
    });
    await page.goto('/');
    await loginInUi(page, bob.user.username);
    await openConversation(page, dm.id);
    const thumbs = messagesWithText(page, 'toggle me').locator('[data-testid="reaction"][data-emoji="👍"]');
    await thumbs.waitFor();

    // Two clicks in a row (a double click lands both well inside the settle window).
    await thumbs.dblclick();
    await expect.poll(() => thumbs.getAttribute('data-count')).toBe('1');
    await page.waitForTimeout(1_000);
    expect(sent).toEqual([]);
    const log = await api<{ events: { type: string }[] }>(suite.h.server, 'GET', `/conversations/${dm.id}/events?after_seq=0`, undefined, alice.token);
    expect(log.body.events.filter((e) => e.type === 'reaction.changed')).toHaveLength(1);

    await thumbs.click();
    await expect.poll(() => thumbs.getAttribute('aria-pressed')).toBe('true');
    expect(await thumbs.getAttribute('data-count')).toBe('2');
    await expect.poll(() => sent).toEqual(['reaction.add']);
    await expect
      .poll(async () => (await api<{ reactions: { emoji: string; count: number }[] }>(suite.h.server, 'GET', `/messages/${msg.id}`, undefined, alice.token)).body.reactions)
      .toEqual([{ emoji: '👍', count: 2, user_ids: [alice.user.id, bob.user.id] }]);
  });

  test('hostile Markdown and HTML in messages is shown as inert text: no script runs, no styles or frames leak in', async () => {
    const { alice, convId, page, dialogs } = await dmWithBobInBrowser();
    const hostile = [
      '<img src=x onerror="window.__pwned=1">',
      '[click](javascript:window.__pwned=2)',
      '<style>body{display:none}</style>',
      '<iframe src=javascript:alert(1)>',
      '<svg><script>window.__pwned=3</script></svg> <a href="JaVaScRiPt:window.__pwned=4">caps</a>',
    ];
    for (const body of hostile) await sendViaApi(suite.h.server, alice.token, convId, body);
    await sendViaApi(suite.h.server, alice.token, convId, 'the last, harmless one');

    await openConversation(page, convId);
    await messagesWithText(page, 'the last, harmless one').waitFor();
    await expect.poll(() => page.getByTestId('message').count()).toBe(hostile.length + 1);
    // Give failed image loads and any late handlers their chance to fire before judging.
    await page.waitForLoadState('networkidle');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

    const found = await page.evaluate(() => {
      const bodies = [...document.querySelectorAll('[data-testid="message-body"]')];
      const inBodies = (sel: string) => bodies.reduce((n, b) => n + b.querySelectorAll(sel).length, 0);
      const hrefs = [...document.querySelectorAll('[href], [src], [action], [formaction], [xlink\\:href]')].flatMap((el) =>
        ['href', 'src', 'action', 'formaction', 'xlink:href'].map((a) => el.getAttribute(a) ?? '').filter((v) => /^\s*(javascript|vbscript|data:text\/html)/i.test(v)),
      );
      const withHandlers = [...document.querySelectorAll('[data-testid="message-list"] *')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).map((el) => el.outerHTML.slice(0, 120));
      const list = document.querySelector('[data-testid="message-list"]');
      return {
        pwned: (window as unknown as { __pwned?: unknown }).__pwned,
        imgWithOnerror: document.querySelectorAll('img[onerror]').length,
        withHandlers,
        styles: inBodies('style, link'),
        frames: inBodies('iframe, frame, object, embed, script'),
        scriptHrefs: hrefs,
        bodyDisplay: getComputedStyle(document.body).display,
        bodyVisibility: getComputedStyle(document.body).visibility,
        listHeight: list ? list.getBoundingClientRect().height : 0,
      };
    });
    expect(found.pwned, 'no injected script ran').toBeUndefined();
    expect(dialogs, 'no alert/confirm was raised').toEqual([]);
    expect(found.imgWithOnerror, 'no <img onerror>').toBe(0);
    expect(found.withHandlers, 'no inline event handler survived').toEqual([]);
    expect(found.styles, 'no <style> or <link> inside message bodies').toBe(0);
    expect(found.frames, 'no iframe, object, embed or script inside message bodies').toBe(0);
    expect(found.scriptHrefs, 'no javascript: URLs').toEqual([]);
    expect(found.bodyDisplay).not.toBe('none');
    expect(found.bodyVisibility).toBe('visible');
    expect(found.listHeight).toBeGreaterThan(0);
    expect(await page.getByTestId('message-list').isVisible()).toBe(true);
    // The harmless part of the link message is still readable.
    await messagesWithText(page, 'click').waitFor();
  });

  test('a ```ts block is syntax-highlighted and a ```diff block colours added and removed lines differently', async () => {
    const { alice, convId, page } = await dmWithBobInBrowser();
    await sendViaApi(suite.h.server, alice.token, convId, 'Here is the fix:\n\n```ts\nexport function add(a: number, b: number): number {\n  return a + b; // sum\n}\n```');
    await sendViaApi(suite.h.server, alice.token, convId, '```diff\n unchanged context line\n-const oldValue = removedLine;\n+const newValue = addedLine;\n```');
    await openConversation(page, convId);

    const ts = messagesWithText(page, 'export function add').getByTestId('message-body');
    const diff = messagesWithText(page, 'addedLine').getByTestId('message-body');
    await ts.waitFor();
    await diff.waitFor();

    // Shiki loads lazily: wait for tokens (spans with an inline colour or a class) inside the <pre>.
    const tokens = ts.locator('pre span[style*="color"], pre span[class]:not([class="line"])');
    await expect.poll(() => tokens.count(), { timeout: 15_000, message: 'highlighted tokens inside the ts <pre>' }).toBeGreaterThan(2);
    const tsColours = await ts
      .locator('pre')
      .evaluate((pre) => [...new Set([...pre.querySelectorAll('span')].filter((s) => s.children.length === 0 && s.textContent?.trim()).map((s) => getComputedStyle(s).color))]);
    expect(tsColours.length, `several token colours in the ts block (got ${tsColours.join(', ')})`).toBeGreaterThan(1);
    expect(await ts.locator('pre').innerText()).toContain('return a + b;');

    await expect.poll(() => diff.locator('pre span').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const looks = await diff.locator('pre').evaluate((pre) => {
      /** How the line holding `marker` looks: classes and colours from its innermost element up to the <pre>. */
      const look = (marker: string): string | null => {
        const holders = [...pre.querySelectorAll('*')].filter((el) => el.textContent?.includes(marker));
        const innermost = holders.at(-1);
        if (!innermost) return null;
        const parts: string[] = [];
        for (let el: Element | null = innermost; el && el !== pre.parentElement; el = el.parentElement) {
          const cs = getComputedStyle(el);
          parts.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} color=${cs.color} bg=${cs.backgroundColor}`);
        }
        return parts.join(' < ');
      };
      return { added: look('addedLine'), removed: look('removedLine'), context: look('unchanged context') };
    });
    expect(looks.added, 'the added line is rendered').not.toBeNull();
    expect(looks.removed, 'the removed line is rendered').not.toBeNull();
    expect(looks.added, 'added and removed lines look different').not.toBe(looks.removed);
    expect(await diff.locator('pre').innerText()).toContain('const newValue = addedLine;');
  });
});
