import type { Conversation } from '@parley/protocol';
import { CliError, Exit } from '../errors.js';
import { printJson } from '../output.js';
import { clientFromConfig } from '../session.js';

/**
 * A retention as typed: `90d`, `90` (days) or `forever`; the number of days or null. For
 * `parley admin settings --retention` and `parley retention`.
 */
export function retentionOption(value: string, flag: string): number | null {
  const v = value.trim().toLowerCase();
  if (v === 'forever') return null;
  const m = /^(\d+)\s*d?$/.exec(v);
  const days = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(days) || days < 1 || days > 36_500) throw new CliError(`${flag} takes a number of days from 1 to 36500 (30, 90d…) or forever, not "${value}".`, Exit.usage);
  return days;
}

/** A retention as shown: `90 days`, `forever`. */
export function retentionText(days: number | null): string {
  return days === null ? 'forever' : `${days} day${days === 1 ? '' : 's'}`;
}

/**
 * `parley retention #channel 30|inherit`: a conversation's own retention, or back to the
 * workspace's (workspace owners and admins). Messages older than it are erased for everyone.
 */
export async function setRetention(target: string, value: string, opts: { json?: boolean }): Promise<void> {
  const days = value.trim().toLowerCase() === 'inherit' ? null : retentionOption(value, 'retention');
  if (days === null && value.trim().toLowerCase() !== 'inherit') throw new CliError('Say a number of days, or inherit (the workspace setting).', Exit.usage);
  const client = clientFromConfig();
  const conv = await client.resolveTarget(target);
  const res = await client.rest.request<Conversation>('PUT', `/conversations/${conv.id}/retention`, { days });
  if (opts.json) return printJson(res);
  process.stdout.write(
    res.retention_days === null ? `${target} follows the workspace retention now.\n` : `${target} keeps messages ${retentionText(res.retention_days)}; older ones are erased for everyone.\n`,
  );
}
