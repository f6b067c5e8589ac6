import type { User, WorkspaceSettings } from '@parley/protocol';
import { CliError, Exit } from '../errors.js';
import { printJson } from '../output.js';
import { clientFromConfig } from '../session.js';
import { findUser } from './admin.js';

const onOff = (v: string): boolean => {
  if (/^(on|true|yes|1)$/i.test(v)) return true;
  if (/^(off|false|no|0)$/i.test(v)) return false;
  throw new CliError(`Say on or off, not "${v}".`, Exit.usage);
};

/** `parley admin settings [--require-2fa on|off] [--secret-policy mask|block|warn]`: shows the workspace settings, changing them first when asked. */
export async function workspaceSettings(opts: { require2fa?: string; secretPolicy?: string; json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const patch: { require_2fa?: boolean; secret_policy?: WorkspaceSettings['secret_policy'] } = {};
  if (opts.require2fa !== undefined) patch.require_2fa = onOff(opts.require2fa);
  if (opts.secretPolicy !== undefined) {
    if (!['mask', 'block', 'warn'].includes(opts.secretPolicy)) throw new CliError('--secret-policy is mask, block or warn.', Exit.usage);
    patch.secret_policy = opts.secretPolicy as WorkspaceSettings['secret_policy'];
  }
  const res =
    Object.keys(patch).length === 0 ? await client.rest.request<WorkspaceSettings>('GET', '/admin/settings') : await client.rest.request<WorkspaceSettings>('PATCH', '/admin/settings', patch);
  if (opts.json) printJson(res);
  else process.stdout.write(`require-2fa    ${res.require_2fa ? 'on' : 'off'}\nsecret-policy  ${res.secret_policy}\n`);
}

/** `parley admin users set-email USER EMAIL|--clear`: the address single sign-on may link the account by. */
export async function setEmail(username: string, email: string | undefined, opts: { clear?: boolean }): Promise<void> {
  if (!email && !opts.clear) throw new CliError('Give the address, or --clear to remove it.', Exit.usage);
  const u = await findUser(username);
  await clientFromConfig().rest.request<User>('PATCH', `/admin/users/${u.id}`, { email: opts.clear ? null : email });
  process.stderr.write(
    opts.clear ? `${u.username} has no email address now.\n` : `${u.username}'s email is ${email!.toLowerCase()}; single sign-on links it when the provider verified that address.\n`,
  );
}
