import type { Invite, InviteList } from '@parley/protocol';
import { CliError, Exit } from '../errors.js';
import { windowOption } from '../durations.js';
import { printJson, time } from '../output.js';
import { clientFromConfig } from '../session.js';

/** `parley invite create [--expires 24h] [--uses N]`: an invite link; its code is shown this once. */
export async function createInvite(opts: { expires?: string; uses?: string; json?: boolean }): Promise<void> {
  const body: { expires_in_hours?: number; max_uses?: number } = {};
  if (opts.expires !== undefined) {
    const ms = windowOption(opts.expires, '--expires');
    if (ms === null || ms < 3_600_000) throw new CliError(`--expires ${opts.expires}: an invite lasts at least an hour (1h, 24h, 7d).`, Exit.usage);
    body.expires_in_hours = Math.round(ms / 3_600_000);
  }
  if (opts.uses !== undefined) {
    const n = Number(opts.uses);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new CliError(`--uses ${opts.uses}: a whole number from 1 to 1000.`, Exit.usage);
    body.max_uses = n;
  }
  const client = clientFromConfig();
  const inv = await client.rest.request<Invite>('POST', '/invites', body);
  const link = `${client.rest.baseUrl.replace(/\/$/, '')}/invite/${inv.code}`;
  if (opts.json) return printJson({ ...inv, link });
  process.stdout.write(`${link}\n`);
  process.stderr.write(
    `Invite ${inv.id ?? ''} for ${inv.max_uses ?? 1} ${(inv.max_uses ?? 1) === 1 ? 'person' : 'people'}, until ${time(inv.expires_at)}. The code is ${inv.code}: it is not shown again (sign up with \`parley login --register --invite CODE\`).\n`,
  );
}

/** `parley invite list`: open invites and used ones, with who made and who used them. */
export async function listInvites(opts: { json?: boolean }): Promise<void> {
  const { invites } = await clientFromConfig().rest.request<InviteList>('GET', '/invites');
  if (opts.json) {
    for (const i of invites) printJson(i);
    return;
  }
  if (invites.length === 0) process.stderr.write('No open invites.\n');
  for (const i of invites) {
    const used = i.used_by.length > 0 ? `  used by ${i.used_by.map((u) => u.username).join(', ')}` : '';
    process.stdout.write(
      `${i.id.padEnd(28)} …${(i.hint ?? '').padEnd(6)} ${i.state.padEnd(8)} ${`${i.uses}/${i.max_uses}`.padEnd(9)} by ${(i.created_by?.username ?? '?').padEnd(16)} expires ${time(i.expires_at)}${used}\n`,
    );
  }
}

/** `parley invite revoke ID|CODE`: nobody else signs up with it. */
export async function revokeInvite(idOrCode: string): Promise<void> {
  // A whole link pasted in works too.
  const key = idOrCode.replace(/^.*\/invite\//, '').replace(/\/$/, '');
  await clientFromConfig().rest.request('DELETE', `/invites/${encodeURIComponent(key)}`);
  process.stderr.write('Revoked: nobody else can sign up with it.\n');
}
