import type { AuditEntry, AuditFilters, Session, User } from '@parley/protocol';
import { timeOption } from '../durations.js';
import { CliError, Exit } from '../errors.js';
import { printJson, time } from '../output.js';
import { clientFromConfig } from '../session.js';

export async function findUser(username: string): Promise<User> {
  const client = clientFromConfig();
  const res = await client.rest.request<{ users: User[] }>('GET', `/admin/users?query=${encodeURIComponent(username)}&limit=200`);
  const u = res.users.find((x) => x.username === username.replace(/^@/, '').toLowerCase());
  if (!u) throw new CliError(`No user named ${username}.`, Exit.notFound);
  return u;
}

export async function listUsers(opts: { json?: boolean; query?: string }): Promise<void> {
  const res = await clientFromConfig().rest.request<{ users: User[] }>('GET', `/admin/users?limit=200${opts.query ? `&query=${encodeURIComponent(opts.query)}` : ''}`);
  for (const u of res.users) {
    if (opts.json) printJson(u);
    else process.stdout.write(`${u.username.padEnd(24)} ${u.role.padEnd(7)} ${u.id}  ${u.display_name}\n`);
  }
}

export async function setRole(username: string, role: string): Promise<void> {
  if (!['owner', 'admin', 'member', 'guest'].includes(role)) throw new CliError('The role is one of owner, admin, member, guest.', Exit.usage);
  const u = await findUser(username);
  const res = await clientFromConfig().rest.request<User>('PATCH', `/admin/users/${u.id}`, { role });
  process.stderr.write(`${res.username} is now ${res.role}.\n`);
}

export async function setDeactivated(username: string, deactivated: boolean): Promise<void> {
  const u = await findUser(username);
  await clientFromConfig().rest.request<User>('PATCH', `/admin/users/${u.id}`, { deactivated });
  process.stderr.write(`${u.username} is ${deactivated ? 'deactivated' : 'active again'}.\n`);
}

export async function sessions(opts: { json?: boolean; revoke?: string }): Promise<void> {
  const client = clientFromConfig();
  if (opts.revoke) {
    await client.rest.request('DELETE', `/sessions/${encodeURIComponent(opts.revoke)}`);
    process.stderr.write(`Session ${opts.revoke} revoked.\n`);
    return;
  }
  const res = await client.rest.request<{ sessions: Session[] }>('GET', '/sessions');
  for (const s of res.sessions) {
    if (opts.json) printJson(s);
    else process.stdout.write(`${s.id}  ${s.device_name.padEnd(22)} ${s.ip.padEnd(16)} last used ${time(s.last_used_at)}${s.current ? '  (this one)' : ''}\n`);
  }
}

export interface AuditOptions {
  json?: boolean;
  limit?: string;
  actor?: string;
  action?: string;
  since?: string;
  until?: string;
  before?: string;
}

/**
 * `parley admin audit`: a page of the audit log, newest first, filtered on the server. `--since
 * 24h` means the last day; `--json` prints one entry per line (for jq), else a table.
 */
export async function audit(opts: AuditOptions): Promise<void> {
  const limit = opts.limit ? Number(opts.limit) : 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError('--limit is from 1 to 500.', Exit.usage);
  const filters: AuditFilters = {
    limit,
    ...(opts.actor !== undefined ? { actor: opts.actor } : {}),
    ...(opts.action !== undefined ? { action: opts.action } : {}),
    ...(opts.since !== undefined ? { since: timeOption(opts.since, '--since') } : {}),
    ...(opts.until !== undefined ? { until: timeOption(opts.until, '--until') } : {}),
    ...(opts.before !== undefined ? { before: opts.before } : {}),
  };
  const entries = await clientFromConfig().audit(filters);
  if (opts.json) {
    for (const e of entries) printJson(e);
    return;
  }
  if (entries.length === 0) {
    process.stderr.write('No audit entries match.\n');
    return;
  }
  process.stdout.write(auditTable(entries));
  // A full page may have more behind it: say how to get it, where a script reading stdout will not trip on it.
  if (entries.length === limit) process.stderr.write(`More may be older: add --before ${entries[entries.length - 1]!.id}\n`);
}

/** Columns sized to their widest value (time, actor, action, target, address), one entry a line. */
export function auditTable(entries: readonly AuditEntry[]): string {
  const rows = entries.map((e) => [time(e.created_at), e.actor_username ?? e.actor_id ?? '-', e.action, e.target ?? '-', e.ip ?? '-']);
  const all = [['TIME', 'ACTOR', 'ACTION', 'TARGET', 'IP'], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
