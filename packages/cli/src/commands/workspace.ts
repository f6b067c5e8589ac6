import type { User, WorkspaceSettings } from '@parley/protocol';
import { CliError, Exit } from '../errors.js';
import { printJson } from '../output.js';
import { clientFromConfig } from '../session.js';
import { findUser } from './admin.js';
import { windowOption, windowText } from '../durations.js';
import { retentionOption, retentionText } from './retention.js';

const onOff = (v: string): boolean => {
  if (/^(on|true|yes|1)$/i.test(v)) return true;
  if (/^(off|false|no|0)$/i.test(v)) return false;
  throw new CliError(`Say on or off, not "${v}".`, Exit.usage);
};

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `100MB`, `2.5 GB`, `500kb` or bytes: binary units, as the server's limits and the web's "MB" field count them. */
export function sizeOption(raw: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new CliError(`${flag} is a size: bytes, or a number with KB, MB or GB (100MB).`, Exit.usage);
  return Math.round(Number(m[1]) * unit);
}

const sizeText = (bytes: number) => {
  for (const [unit, n] of [
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ] as const)
    if (bytes >= n) return `${Math.round((bytes / n) * 100) / 100} ${unit}`;
  return `${bytes} bytes`;
};

/**
 * `parley admin settings [--require-2fa on|off] [--secret-policy mask|block|warn] [--edit-window
 * 15m|unlimited] [--recall-window …] [--registration open|invite] [--retention 90d|forever]
 * [--max-message-chars N] [--max-upload SIZE]`: shows the workspace settings, changing them first
 * when asked. Live: every node applies a change from its next request on (a limit within seconds).
 */
export async function workspaceSettings(opts: {
  require2fa?: string;
  secretPolicy?: string;
  editWindow?: string;
  recallWindow?: string;
  registration?: string;
  retention?: string;
  maxMessageChars?: string;
  maxUpload?: string;
  json?: boolean;
}): Promise<void> {
  const client = clientFromConfig();
  const patch: Partial<WorkspaceSettings> = {};
  if (opts.editWindow !== undefined) patch.edit_window_ms = windowOption(opts.editWindow, '--edit-window');
  if (opts.recallWindow !== undefined) patch.recall_window_ms = windowOption(opts.recallWindow, '--recall-window');
  if (opts.registration !== undefined) {
    if (opts.registration !== 'open' && opts.registration !== 'invite') throw new CliError('--registration is open or invite.', Exit.usage);
    patch.registration = opts.registration;
  }
  if (opts.retention !== undefined) patch.retention_days = retentionOption(opts.retention, '--retention');
  if (opts.require2fa !== undefined) patch.require_2fa = onOff(opts.require2fa);
  if (opts.maxMessageChars !== undefined) {
    if (!/^\d+$/.test(opts.maxMessageChars)) throw new CliError('--max-message-chars is a whole number of characters.', Exit.usage);
    patch.max_message_chars = Number(opts.maxMessageChars);
  }
  if (opts.maxUpload !== undefined) patch.max_upload_bytes = sizeOption(opts.maxUpload, '--max-upload');
  if (opts.secretPolicy !== undefined) {
    if (!['mask', 'block', 'warn'].includes(opts.secretPolicy)) throw new CliError('--secret-policy is mask, block or warn.', Exit.usage);
    patch.secret_policy = opts.secretPolicy as WorkspaceSettings['secret_policy'];
  }
  const res =
    Object.keys(patch).length === 0 ? await client.rest.request<WorkspaceSettings>('GET', '/admin/settings') : await client.rest.request<WorkspaceSettings>('PATCH', '/admin/settings', patch);
  if (opts.json) printJson(res);
  else
    process.stdout.write(
      [
        `require-2fa    ${res.require_2fa ? 'on' : 'off'}`,
        `secret-policy  ${res.secret_policy}`,
        `edit-window    ${windowText(res.edit_window_ms)}`,
        `recall-window  ${windowText(res.recall_window_ms)}`,
        `registration   ${res.registration}`,
        `retention      ${retentionText(res.retention_days)}`,
        `max-message    ${res.max_message_chars} characters`,
        `max-upload     ${sizeText(res.max_upload_bytes)}`,
        '',
      ].join('\n'),
    );
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
