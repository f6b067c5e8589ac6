import type { Session, User } from '@parley/protocol';
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

interface AuditEntry {
  id: string;
  actor_id: string | null;
  action: string;
  target: string | null;
  data: unknown;
  ip: string | null;
  created_at: string;
}

export async function audit(opts: { json?: boolean; limit?: string }): Promise<void> {
  const limit = opts.limit ? Number(opts.limit) : 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError('--limit is from 1 to 500.', Exit.usage);
  const res = await clientFromConfig().rest.request<{ entries: AuditEntry[] }>('GET', `/admin/audit?limit=${limit}`);
  for (const e of res.entries) {
    if (opts.json) printJson(e);
    else process.stdout.write(`${time(e.created_at)}  ${e.action.padEnd(24)} actor=${e.actor_id ?? '-'} target=${e.target ?? '-'} ip=${e.ip ?? '-'}\n`);
  }
}
