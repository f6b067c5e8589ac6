import type { AdminChannelList, AdminIntegrationList, ClusterStats, RevokedSessions, Session } from '@parley/protocol';
import { CliError, Exit } from '../errors.js';
import { printJson, time } from '../output.js';
import { clientFromConfig } from '../session.js';
import { findUser, listUsers, sessions } from './admin.js';

/** `parley admin users [QUERY]`: the query as an argument, or as `--query` as before. */
export async function adminUsers(query: string | undefined, opts: { json?: boolean; query?: string }): Promise<void> {
  const q = query ?? opts.query;
  await listUsers({ ...opts, ...(q !== undefined ? { query: q } : {}) });
}

/**
 * `parley admin sessions USER`: that user's device sessions; `--revoke` signs them out everywhere.
 * Without USER it is `parley sessions` (mine), `--revoke ID` ending one of them, as it always was.
 */
export async function adminSessions(username: string | undefined, opts: { json?: boolean; revoke?: string | boolean }): Promise<void> {
  if (username === undefined) {
    if (opts.revoke === true) throw new CliError('--revoke needs a session id, or a user: parley admin sessions USER --revoke', Exit.usage);
    return sessions({ ...(opts.json ? { json: true } : {}), ...(typeof opts.revoke === 'string' ? { revoke: opts.revoke } : {}) });
  }
  if (typeof opts.revoke === 'string') throw new CliError('With a user, --revoke takes no value: it signs the user out everywhere.', Exit.usage);
  const u = await findUser(username);
  const client = clientFromConfig();
  if (opts.revoke) {
    const res = await client.rest.request<RevokedSessions>('DELETE', `/admin/users/${u.id}/sessions`);
    if (opts.json) printJson(res);
    process.stderr.write(`${u.username} is signed out everywhere (${res.revoked} ${res.revoked === 1 ? 'session' : 'sessions'}).\n`);
    return;
  }
  const res = await client.rest.request<{ sessions: Session[] }>('GET', `/admin/users/${u.id}/sessions`);
  if (!opts.json && res.sessions.length === 0) process.stderr.write(`${u.username} has no live sessions.\n`);
  for (const s of res.sessions) {
    if (opts.json) printJson(s);
    else process.stdout.write(`${s.id}  ${s.device_name.padEnd(22)} ${s.ip.padEnd(16)} last used ${time(s.last_used_at)}\n`);
  }
}

/** `parley admin channels [QUERY]`: every channel, private ones too (name and head count only), every page. */
export async function adminChannels(query: string | undefined, opts: { json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  let offset: number | null = 0;
  let any = false;
  while (offset !== null) {
    const page: AdminChannelList = await client.rest.request<AdminChannelList>('GET', `/admin/channels?limit=200&offset=${offset}${query ? `&query=${encodeURIComponent(query)}` : ''}`);
    for (const c of page.channels) {
      any = true;
      if (opts.json) {
        printJson(c);
        continue;
      }
      const owners = c.owners.map((o) => o.username).join(',') || '-';
      const flags = [c.visibility, ...(c.archived ? ['archived'] : [])].join(',');
      const last = c.last_activity_at ? time(c.last_activity_at) : '-';
      process.stdout.write(`#${c.name.padEnd(24)} ${flags.padEnd(16)} ${String(c.member_count).padStart(5)} members  owners ${owners.padEnd(16)} last ${last}  ${c.id}\n`);
    }
    offset = page.next_offset;
  }
  if (!any && !opts.json) process.stderr.write('No channels match.\n');
}

const INTEGRATION_TYPES = { incoming: 'incoming_webhook', outgoing: 'outgoing_webhook', command: 'slash_command', bot: 'bot' } as const;

/**
 * `parley admin integrations [--type incoming|outgoing|command|bot]`: every live webhook, slash
 * command and bot of the workspace, where it posts, who made it and when it last acted. Removal is
 * each kind's own command (`parley webhook revoke`, `parley outgoing revoke`, `parley command remove`,
 * `parley bot remove`).
 */
export async function adminIntegrations(opts: { json?: boolean; type?: string }): Promise<void> {
  let q = '';
  if (opts.type !== undefined) {
    const type = INTEGRATION_TYPES[opts.type as keyof typeof INTEGRATION_TYPES];
    if (!type) throw new CliError(`--type is one of ${Object.keys(INTEGRATION_TYPES).join(', ')}`, Exit.usage);
    q = `?type=${type}`;
  }
  const res = await clientFromConfig().rest.request<AdminIntegrationList>('GET', `/admin/integrations${q}`);
  if (opts.json) {
    for (const i of res.integrations) printJson(i);
    return;
  }
  if (res.integrations.length === 0) {
    process.stderr.write('No integrations.\n');
    return;
  }
  const kind = { incoming_webhook: 'incoming', outgoing_webhook: 'outgoing', slash_command: 'command', bot: 'bot' } as const;
  const rows = res.integrations.map((i) => {
    const c = i.conversation;
    const where = c ? `${c.kind === 'channel' ? '#' : ''}${c.name ?? c.id}${c.visibility === 'private' ? ' (private)' : ''}` : 'workspace';
    const notes = [...(i.dead_deliveries > 0 ? [`${i.dead_deliveries} dead`] : []), ...(i.can_remove ? [] : ['not yours to remove'])].join(', ');
    return [kind[i.type], i.name, where, i.detail, i.created_by?.username ?? '-', i.last_used_at ? time(i.last_used_at) : 'never', i.id, notes];
  });
  const all = [['TYPE', 'NAME', 'WHERE', 'DETAIL', 'BY', 'LAST USED', 'ID', ''], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  process.stdout.write(
    all
      .map((r) =>
        r
          .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n',
  );
}

/** `parley admin stats`: each node's live figures from its last heartbeat, and the totals. */
export async function adminStats(opts: { json?: boolean }): Promise<void> {
  const s = await clientFromConfig().rest.request<ClusterStats>('GET', '/admin/stats');
  if (opts.json) {
    printJson(s);
    return;
  }
  const rows = s.nodes.map((n) => [n.name, n.healthy ? 'healthy' : 'stale', String(n.sockets), String(n.users), String(n.messages_last_minute), time(n.started_at), time(n.last_heartbeat_at)]);
  const all = [['NODE', 'STATE', 'SOCKETS', 'USERS', 'MSG/MIN', 'UP SINCE', 'LAST HEARTBEAT'], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  process.stdout.write(all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n');
  const t = s.totals;
  process.stdout.write(`${t.healthy_nodes}/${t.nodes} nodes healthy, ${t.sockets} sockets, ${t.users} users, ${t.messages_last_minute} messages in the last minute\n`);
}
