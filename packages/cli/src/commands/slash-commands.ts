import type { CreateCommandBody, CreatedSlashCommand, SlashCommand } from '@parley/protocol';
import { CliError, Exit } from '../errors.js';
import { printJson } from '../output.js';
import { clientFromConfig } from '../session.js';

const ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** `deploy` and `/deploy` name the same command. */
const bare = (name: string) => name.replace(/^\//, '');

/** `parley command add deploy --url https://ci.example.com/slash`: the signing secret, then the Slack token, go to stdout once. */
export async function addCommand(name: string, opts: { url: string; description?: string; hint?: string; as?: string; icon?: string; json?: boolean }): Promise<void> {
  const body: CreateCommandBody = {
    command: bare(name),
    url: opts.url,
    ...(opts.description ? { description: opts.description } : {}),
    ...(opts.hint ? { usage_hint: opts.hint } : {}),
    ...(opts.as ? { name: opts.as } : {}),
    ...(opts.icon ? { icon_url: opts.icon } : {}),
  };
  const cmd = await clientFromConfig().rest.request<CreatedSlashCommand>('POST', '/commands', body);
  if (opts.json) printJson(cmd);
  else {
    process.stderr.write(`Command /${cmd.command} (${cmd.id}) calls ${cmd.url ?? opts.url}.\nIts signing secret is shown only once (then the Slack verification token):\n`);
    process.stdout.write(`${cmd.secret}\n${cmd.token}\n`);
  }
}

/** Every live command; the endpoint only for workspace admins. */
export async function listCommands(opts: { json?: boolean }): Promise<void> {
  const commands = await clientFromConfig().commands();
  for (const c of commands) {
    if (opts.json) printJson(c);
    else process.stdout.write(`${`${`/${c.command}`.padEnd(14)}  ${c.usage_hint.padEnd(20)}  ${c.description}${c.url ? `  ${c.url}` : ''}`.trimEnd()}\n`);
  }
}

export async function removeCommand(nameOrId: string): Promise<void> {
  const client = clientFromConfig();
  let cmd: Pick<SlashCommand, 'id' | 'command'> | undefined;
  const wanted = bare(nameOrId);
  if (ID.test(wanted)) cmd = { id: wanted, command: wanted };
  else cmd = (await client.commands()).find((c) => c.command === wanted.toLowerCase());
  if (!cmd) throw new CliError(`No command /${wanted}.`, Exit.notFound);
  await client.rest.request('DELETE', `/commands/${encodeURIComponent(cmd.id)}`);
  process.stderr.write(`Command ${ID.test(wanted) ? cmd.id : `/${cmd.command}`} removed.\n`);
}

/**
 * `parley command run '#ops' deploy api staging`: the ephemeral answer (only I see it) goes to
 * stdout; an answer posted in the conversation is reported on stderr; a command may answer nothing.
 */
export async function runCommand(target: string, name: string, words: string[], opts: { thread?: string; json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  try {
    const conv = await client.resolveTarget(target);
    const result = await client.runCommand(conv.id, bare(name).toLowerCase(), words.join(' '), opts.thread ? { threadRootId: opts.thread } : {});
    if (opts.json) printJson(result);
    else {
      if (result.ephemeral) process.stdout.write(`${result.ephemeral.body}\n`);
      if (result.posted) process.stderr.write(`posted #${result.posted.seq}\n`);
    }
  } finally {
    await client.close();
  }
}
