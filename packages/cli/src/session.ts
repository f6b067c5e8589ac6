import { Parley, type ParleyOptions } from '@parley/sdk';
import { readCredentials, writeCredentials, type Credentials } from './credentials.js';
import { CliError, Exit } from './errors.js';

/**
 * The client for a command: `PARLEY_SERVER` / `PARLEY_TOKEN` (for CI) win over the stored
 * credentials; refreshed tokens are written back to the credentials file.
 */
export function clientFromConfig(opts: { server?: string | undefined } = {}, env: NodeJS.ProcessEnv = process.env, extra: Partial<ParleyOptions> = {}): Parley {
  const stored = readCredentials(env);
  const server = opts.server ?? env.PARLEY_SERVER ?? stored?.server;
  if (!server) throw new CliError('No server: run `parley login --server URL` or set PARLEY_SERVER.', Exit.auth);
  const envToken = env.PARLEY_TOKEN;
  const token = envToken ?? (stored && stored.server === server ? stored.access_token : undefined);
  if (!token) throw new CliError(`Not logged in to ${server}: run \`parley login --server ${server}\` or set PARLEY_TOKEN.`, Exit.auth);
  const refresh = envToken ? null : (stored?.refresh_token ?? null);
  return new Parley({
    url: server,
    token,
    refreshToken: refresh,
    deviceName: 'Parley CLI',
    userAgent: 'parley-cli/0.1',
    onTokens: (t) => {
      if (envToken || !stored) return;
      const next: Credentials = { ...stored, access_token: t.access_token, refresh_token: t.refresh_token ?? null };
      writeCredentials(next, env);
    },
    ...extra,
  });
}
