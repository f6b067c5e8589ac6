import type { LockoutList } from '@parley/protocol';
import { CliError, Exit } from '../errors.js';
import { printJson, time } from '../output.js';
import { clientFromConfig } from '../session.js';

/** `parley admin lockouts`: accounts and addresses locked out of signing in, or with recent failures. */
export async function listLockouts(opts: { json?: boolean }): Promise<void> {
  const res = await clientFromConfig().rest.request<LockoutList>('GET', '/admin/lockouts');
  if (!opts.json && res.lockouts.length === 0) process.stderr.write('No sign-in lockouts and no recent failed sign-ins.\n');
  for (const l of res.lockouts) {
    if (opts.json) printJson(l);
    else {
      const state = l.locked_until ? `locked until ${time(l.locked_until)}` : `${l.failures} failed`;
      process.stdout.write(`${l.key.padEnd(40)} ${state.padEnd(32)} lockouts=${l.level}${l.last_failure_at ? `  last failure ${time(l.last_failure_at)}` : ''}\n`);
    }
  }
}

/** `parley admin lockouts clear KEY`: lifts a lockout (`account:NAME` or `ip:ADDRESS`; a bare name means the account). */
export async function clearLockout(key: string): Promise<void> {
  const full = /^(account|ip):./.test(key) ? key : `account:${key.replace(/^@/, '').toLowerCase()}`;
  if (full.length > 300) throw new CliError('That key is too long.', Exit.usage);
  await clientFromConfig().rest.request('DELETE', `/admin/lockouts/${encodeURIComponent(full)}`);
  process.stderr.write(`Lifted ${full}: its failed sign-ins and lockouts are forgotten.\n`);
}
