import { Parley, ParleyError } from '@parley/sdk';
import { deleteCredentials, readCredentials, writeCredentials } from '../credentials.js';
import { CliError, Exit } from '../errors.js';
import { printJson } from '../output.js';
import { promptHidden, readStdin } from '../prompt.js';
import { clientFromConfig } from '../session.js';
import { ssoLogin } from './sso.js';

export async function login(opts: {
  server?: string;
  username?: string;
  passwordStdin?: boolean;
  register?: boolean;
  invite?: string;
  code?: string;
  recoveryCode?: string;
  sso?: boolean;
}): Promise<void> {
  const server = opts.server ?? process.env.PARLEY_SERVER;
  if (!server) throw new CliError('Say which server: parley login --server http://localhost:8080', Exit.usage);
  if (opts.sso) {
    const res = await ssoLogin(server, (url, provider) => {
      process.stderr.write(`Open this address in a browser to sign in with ${provider}:\n\n  ${url}\n\nWaiting…\n`);
    });
    return signedIn(server, res);
  }
  const username = opts.username ?? process.env.PARLEY_USERNAME;
  if (!username) throw new CliError('Say who you are: --username NAME (or PARLEY_USERNAME).', Exit.usage);
  const password = opts.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : (process.env.PARLEY_PASSWORD ?? (await promptHidden(`Password for ${username}@${server}`)));
  const client = new Parley({ url: server, deviceName: 'Parley CLI', userAgent: 'parley-cli/0.1' });
  const second = { ...(opts.code ? { code: opts.code } : {}), ...(opts.recoveryCode ? { recovery_code: opts.recoveryCode } : {}) };
  let res: Awaited<ReturnType<Parley['login']>>;
  try {
    // An invite link pasted whole works as well as its code.
    const inviteCode = opts.invite
      ?.trim()
      .replace(/^.*\/invite\//, '')
      .replace(/\/$/, '');
    res = opts.register ? await client.register(username, password, inviteCode ? { invite_code: inviteCode } : {}) : await client.login(username, password, second);
  } catch (e) {
    // Two-factor sign-in is on and no code came with the password: ask for it on the terminal.
    if (!(e instanceof ParleyError && e.code === 'mfa_required' && e.challenge)) throw e;
    if (!process.stdin.isTTY) throw new CliError('Two-factor sign-in is on for this account: add --code with the code from your authenticator app (or --recovery-code).', Exit.auth);
    const code = (await promptHidden('Code from your authenticator app (or a recovery code)')).trim();
    res = await client.loginSecondFactor(e.challenge, /^[0-9 ]{6,8}$/.test(code) ? { code } : { recovery_code: code });
  }
  signedIn(server, res);
}

function signedIn(server: string, res: { user: { username: string }; access_token: string; refresh_token: string; must_enrol_2fa: boolean }): void {
  writeCredentials({ server, username: res.user.username, access_token: res.access_token, refresh_token: res.refresh_token });
  process.stderr.write(`Logged in to ${server} as ${res.user.username}.\n`);
  if (res.must_enrol_2fa) {
    process.stderr.write('This workspace requires two-factor sign-in: until it is on, nothing else works. Run `parley 2fa setup`, then `parley 2fa enable CODE`.\n');
  }
}

export async function logout(): Promise<void> {
  const stored = readCredentials();
  if (stored) {
    try {
      // The stored session ends, never PARLEY_TOKEN: logging out with an API token revokes it for good.
      await clientFromConfig({ server: stored.server }, { ...process.env, PARLEY_TOKEN: undefined }).rest.request('POST', '/auth/logout');
    } catch {
      // The local credentials go away even when the server cannot be told.
    }
  }
  deleteCredentials();
  process.stderr.write('Logged out.\n');
}

export async function whoami(opts: { json?: boolean }): Promise<void> {
  const me = await clientFromConfig().me();
  if (opts.json) printJson(me);
  else process.stdout.write(`${me.username} (${me.display_name}, ${me.role})\n`);
}
