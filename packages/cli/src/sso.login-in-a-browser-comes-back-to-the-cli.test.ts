/**
 * `parley login --sso` against a real server and a real identity provider: the CLI prints the
 * address, a browser signs in at the provider, and the CLI, listening on loopback, gets its
 * session. The browser here is the test's (cookies and redirects); the one step a browser's
 * script does (handing the address's fragment to the CLI's page) is done as that script does it.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startServer, type TestServer } from '@parley/server/testing';
import { freePort } from '@parley/server/testing/ports';
import { startIdentityProvider, TestBrowser, type IdentityProvider } from '@parley/server/testing/identity-provider';
import { ssoLogin } from './commands/sso.js';

let server!: TestServer;
let idp!: IdentityProvider;
beforeAll(async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  idp = await startIdentityProvider(`${publicUrl}/api/v1/auth/sso/callback`);
  server = await startServer({ port, publicUrl, oidcIssuer: idp.issuer, oidcClientId: idp.clientId, oidcClientSecret: idp.clientSecret, oidcName: 'Corp ID' });
});
afterAll(async () => {
  await server?.stop();
  await idp?.close();
});

/** What a person does with the printed address: sign in at the provider and let the page finish. */
async function signInInBrowser(url: string, sub: string): Promise<void> {
  const browser = new TestBrowser();
  const login = await browser.follow(url, (u) => u.origin === idp.issuer && u.pathname.startsWith('/interaction/'));
  const landed = await browser.signInAtProvider(login, sub, (u) => u.hostname === '127.0.0.1' && u.pathname.startsWith('/parley-sso/'));
  const at = new URL(landed);
  const page = await fetch(`${at.origin}${at.pathname}`);
  expect(await page.text()).toContain("fetch(location.pathname + '/result'");
  await fetch(`${at.origin}${at.pathname}/result`, { method: 'POST', body: at.hash.slice(1) });
}

test('the CLI prints where to sign in and gets a session for the account the provider signed in', async () => {
  idp.accounts.set('lee-sub', { email: 'lee@corp.test', email_verified: true, preferred_username: 'lee' });
  let shown = '';
  const res = await ssoLogin(server.url, async (url, provider) => {
    shown = url;
    expect(provider).toBe('Corp ID');
    await signInInBrowser(url, 'lee-sub');
  });
  expect(shown).toMatch(new RegExp(`^${server.url}/api/v1/auth/sso/start\\?return_to=http%3A%2F%2F127\\.0\\.0\\.1%3A\\d+%2Fparley-sso%2F[0-9a-f]{32}$`));
  expect(res.user.username).toBe('lee');
  const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${res.access_token}` } });
  expect(((await me.json()) as { username: string }).username).toBe('lee');
});

test('a refused sign-in is reported, not turned into a session', async () => {
  await expect(
    ssoLogin(server.url, async (url) => {
      // The provider's answer is forged: a state no sign-in has.
      const u = new URL(url);
      const browser = new TestBrowser();
      const authUrl = new URL((await browser.request(u.href)).location!);
      authUrl.searchParams.set('state', 'forged-state-0123456789abcdef');
      idp.accounts.set('max-sub', { email: 'max@corp.test', email_verified: true });
      const login = await browser.follow(authUrl.href, (x) => x.origin === idp.issuer && x.pathname.startsWith('/interaction/'));
      // No flow has that state: the server cannot know where to return, so it goes to its own "/".
      const landed = new URL(await browser.signInAtProvider(login, 'max-sub', (x) => x.origin === server.url && !x.pathname.startsWith('/api/')));
      expect(new URLSearchParams(landed.hash.slice(1)).get('sso_error')).toBe('expired');
      // The CLI's page is never reached; tell it what the browser saw, as its page would.
      const back = new URL(decodeURIComponent(u.searchParams.get('return_to')!));
      await fetch(`${back.href}/result`, { method: 'POST', body: landed.hash.slice(1) });
    }),
  ).rejects.toThrow(/Single sign-on failed: expired/);
});
