import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Parley } from '@parley/sdk';
import { CliError, Exit } from '../errors.js';

type AuthAnswer = Awaited<ReturnType<Parley['loginWithSso']>>;

const WAIT_MS = 5 * 60_000;

/**
 * The page the server's callback sends the browser to. The sign-in code is in the address's
 * fragment, which a browser never sends to a server: this page's script hands it to the CLI
 * listening here (same origin), then the tab can close.
 */
const PAGE = `<!doctype html><meta charset="utf-8"><title>Parley CLI</title>
<p id="m">Finishing sign-in…</p>
<script>
fetch(location.pathname + '/result', { method: 'POST', body: location.hash.slice(1) })
  .then(function (r) { document.getElementById('m').textContent = r.ok ? 'Signed in. You can close this tab and return to the terminal.' : 'Sign-in failed; see the terminal.'; });
</script>`;

/**
 * `parley login --sso`: the identity provider's sign-in in the browser, the session for the CLI.
 * As RFC 8252 has native apps do, the CLI listens on a loopback address for the browser to come
 * back to, at a path only this run knows. `open` shows (or opens) the address to visit.
 */
export async function ssoLogin(server: string, open: (url: string, provider: string) => void | Promise<void>): Promise<AuthAnswer> {
  const client = new Parley({ url: server, deviceName: 'Parley CLI', userAgent: 'parley-cli/0.1' });
  const options = await client.authOptions();
  if (!options.sso) throw new CliError(`${server} has no single sign-on; log in with --username.`, Exit.usage);
  const path = `/parley-sso/${crypto.randomBytes(16).toString('hex')}`;
  const listener = http.createServer();
  const returned = new Promise<URLSearchParams>((resolve) => {
    listener.on('request', (req, res) => {
      if (req.method === 'GET' && req.url === path) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
        res.end(PAGE);
        return;
      }
      if (req.method === 'POST' && req.url === `${path}/result`) {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (body += c.slice(0, 4096)));
        req.on('end', () => {
          res.writeHead(204).end();
          resolve(new URLSearchParams(body));
        });
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  try {
    const back = `http://127.0.0.1:${(listener.address() as AddressInfo).port}${path}`;
    await open(`${server.replace(/\/$/, '')}${options.sso.start_url}?return_to=${encodeURIComponent(back)}`, options.sso.name);
    let timer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([
      returned,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CliError('No sign-in came back within 5 minutes.', Exit.auth)), WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    const code = answer.get('sso_code');
    if (!code) throw new CliError(`Single sign-on failed: ${answer.get('sso_error') ?? 'no code came back'}.`, Exit.auth);
    return await client.loginWithSso(code);
  } finally {
    listener.closeAllConnections();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  }
}
