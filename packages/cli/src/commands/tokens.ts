import type { ApiToken, TokenScope, User } from '@parley/protocol';
import { printJson, time } from '../output.js';
import { clientFromConfig } from '../session.js';
import { CliError, Exit } from '../errors.js';

/** `parley token create --bot NAME`: creates the bot if needed, then a token acting as it. */
export async function createToken(opts: { bot?: string; name?: string; scope?: string; json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  let userId: string | undefined;
  let label = opts.name;
  if (opts.bot) {
    const username = opts.bot.replace(/^@/, '').toLowerCase();
    const { bots } = await client.rest.request<{ bots: User[] }>('GET', '/bots');
    const bot = bots.find((b) => b.username === username) ?? (await client.rest.request<User>('POST', '/bots', { username }));
    userId = bot.id;
    label ??= `${username} token`;
  }
  const res = await client.rest.request<ApiToken & { token: string }>('POST', '/tokens', {
    name: label ?? 'CLI token',
    ...(userId ? { user_id: userId } : {}),
    ...(opts.scope ? { scopes: opts.scope.split(',').map((x) => x.trim()) as TokenScope[] } : {}),
  });
  if (opts.json) printJson(res);
  else {
    process.stderr.write(`Token ${res.id} created${opts.bot ? ` for bot @${opts.bot.replace(/^@/, '')}` : ''}. It is shown only once:\n`);
    process.stdout.write(`${res.token}\n`);
  }
}

export async function listTokens(opts: { json?: boolean }): Promise<void> {
  const { tokens } = await clientFromConfig().rest.request<{ tokens: ApiToken[] }>('GET', '/tokens');
  for (const t of tokens) {
    if (opts.json) printJson(t);
    else process.stdout.write(`${t.id}  ${t.name.padEnd(24)} user=${t.user_id}  ${t.scopes.join(',')}  created ${time(t.created_at)}${t.last_used_at ? `  last used ${time(t.last_used_at)}` : ''}\n`);
  }
}

export async function revokeToken(id: string): Promise<void> {
  await clientFromConfig().rest.request('DELETE', `/tokens/${encodeURIComponent(id)}`);
  process.stderr.write(`Token ${id} revoked.\n`);
}

export async function listBots(opts: { json?: boolean }): Promise<void> {
  const { bots } = await clientFromConfig().rest.request<{ bots: User[] }>('GET', '/bots');
  for (const b of bots) {
    if (opts.json) printJson(b);
    else process.stdout.write(`${b.id}  @${b.username.padEnd(24)} ${b.display_name}\n`);
  }
}

/** `parley bot remove NAME`: deactivates the bot; its tokens stop at once. */
export async function removeBot(name: string): Promise<void> {
  const client = clientFromConfig();
  const username = name.replace(/^@/, '').toLowerCase();
  const { bots } = await client.rest.request<{ bots: User[] }>('GET', '/bots');
  const bot = bots.find((b) => b.username === username || b.id === name);
  if (!bot) throw new CliError(`No bot of yours named @${username}.`, Exit.notFound);
  await client.rest.request('DELETE', `/bots/${bot.id}`);
  process.stderr.write(`Bot @${bot.username} removed; its tokens no longer work.\n`);
}
