import { Parley } from '@parley/sdk';
import { deleteCredentials, readCredentials, writeCredentials } from '../credentials.js';
import { CliError, Exit } from '../errors.js';
import { printJson } from '../output.js';
import { promptHidden, readStdin } from '../prompt.js';
import { clientFromConfig } from '../session.js';

export async function login(opts: { server?: string; username?: string; passwordStdin?: boolean; register?: boolean }): Promise<void> {
  const server = opts.server ?? process.env.PARLEY_SERVER;
  if (!server) throw new CliError('Say which server: parley login --server http://localhost:8080', Exit.usage);
  const username = opts.username ?? process.env.PARLEY_USERNAME;
  if (!username) throw new CliError('Say who you are: --username NAME (or PARLEY_USERNAME).', Exit.usage);
  const password = opts.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : (process.env.PARLEY_PASSWORD ?? (await promptHidden(`Password for ${username}@${server}`)));
  const client = new Parley({ url: server, deviceName: 'Parley CLI', userAgent: 'parley-cli/0.1' });
  const res = opts.register ? await client.register(username, password) : await client.login(username, password);
  writeCredentials({ server, username: res.user.username, access_token: res.access_token, refresh_token: res.refresh_token });
  process.stderr.write(`Logged in to ${server} as ${res.user.username}.\n`);
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
