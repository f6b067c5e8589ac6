import { plural, type Conversation, type HistoryVisibility, type MemberRole, type Message, type UpdateConversationBody, type User } from '@parley/protocol';
import type { Parley } from '@parley/sdk';
import { CliError, Exit } from '../errors.js';
import { Names, printJson, time } from '../output.js';
import { clientFromConfig } from '../session.js';

export async function conversations(opts: { json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const list = await client.listConversations();
  const names = new Names(client);
  for (const c of list) {
    if (opts.json) {
      printJson(c);
      continue;
    }
    const badge = c.unread_count > 0 ? `  ${c.unread_count} unread${c.mention_count > 0 ? `, ${plural(c.mention_count, 'mention')}` : ''}` : '';
    const last = c.last_message ? `  last ${time(c.last_message.created_at)}` : '';
    process.stdout.write(`${(await names.conversation(c)).padEnd(28)} ${c.kind.padEnd(7)} ${c.id}${badge}${last}\n`);
  }
}

// ---- channels, members and edit history (the web's details panel, from the shell) ----------

const HISTORY_WORDS: Record<HistoryVisibility, string> = {
  full: 'people added later read the whole history',
  since_join: 'people added later see messages from when they join',
};

function historyOption(value: string): HistoryVisibility {
  const v = value.trim().toLowerCase().replace('-', '_');
  if (v === 'full' || v === 'since_join') return v;
  throw new CliError(`${value}: the history option is full or since-join.`, Exit.usage);
}

/** A user by username (`alice` or `@alice`) from the directory, or exit code 4. */
async function userNamed(client: Parley, name: string): Promise<User> {
  const username = name.replace(/^@/, '').toLowerCase();
  const res = await client.rest.request<{ users: User[] }>('GET', `/users?query=${encodeURIComponent(username)}&limit=50`);
  const u = res.users.find((x) => x.username === username);
  if (!u) throw new CliError(`No user named @${username}.`, Exit.notFound);
  return u;
}

/** What the web's About tab shows, one fact a line. */
async function printAbout(client: Parley, c: Conversation): Promise<void> {
  const kind = c.kind === 'channel' ? `${c.visibility} channel` : c.kind === 'group' ? 'group' : 'direct message';
  const creator = await new Names(client).user(c.created_by);
  const lines = [
    `${await new Names(client).conversation(c)}  ${kind}  ${c.id}`,
    ...(c.kind === 'dm' ? [] : [`topic     ${c.topic || '-'}`, `purpose   ${c.purpose ?? '-'}`]),
    ...(c.kind === 'channel' ? [`history   ${c.history_visibility === 'full' ? 'full' : 'since-join'} (${HISTORY_WORDS[c.history_visibility]})`] : []),
    `members   ${c.member_count}`,
    `created   ${time(c.created_at)} by ${creator?.username ?? c.created_by}`,
    ...(c.archived ? ['archived  yes (read-only)'] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `parley channel create NAME [--private] [--since-join]`: a channel, public with full history unless told. */
export async function createChannel(name: string, opts: { private?: boolean; sinceJoin?: boolean; topic?: string; purpose?: string; member?: string[]; json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const members = await Promise.all((opts.member ?? []).map((m) => userNamed(client, m)));
  const conv = await client.createConversation({
    kind: 'channel',
    name: name.replace(/^#/, ''),
    visibility: opts.private ? 'private' : 'public',
    history_visibility: opts.sinceJoin ? 'since_join' : 'full',
    ...(opts.topic !== undefined ? { topic: opts.topic } : {}),
    ...(opts.purpose !== undefined ? { purpose: opts.purpose } : {}),
    ...(members.length ? { member_ids: members.map((u) => u.id) } : {}),
  });
  if (opts.json) return printJson(conv);
  await printAbout(client, conv);
}

/** `parley channel info #ops`: what it is, its topic, purpose, history option and members. */
export async function channelInfo(target: string, opts: { json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const conv = await client.resolveTarget(target);
  if (opts.json) return printJson(conv);
  await printAbout(client, conv);
}

/** One change to a conversation (rename, topic, purpose, archive, history option); prints it as it is now. */
async function change(target: string, patch: UpdateConversationBody, opts: { json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const conv = await client.updateConversation((await client.resolveTarget(target)).id, patch);
  if (opts.json) return printJson(conv);
  await printAbout(client, conv);
}

export const renameChannel = (target: string, name: string, opts: { json?: boolean }) => change(target, { name: name.replace(/^#/, '') }, opts);
export const setTopic = (target: string, text: string, opts: { json?: boolean }) => change(target, { topic: text }, opts);
export const archiveChannel = (target: string, opts: { json?: boolean }) => change(target, { archived: true }, opts);
export const unarchiveChannel = (target: string, opts: { json?: boolean }) => change(target, { archived: false }, opts);
export const setHistory = (target: string, option: string, opts: { json?: boolean }) => change(target, { history_visibility: historyOption(option) }, opts);

export function setPurpose(target: string, text: string | undefined, opts: { clear?: boolean; json?: boolean }): Promise<void> {
  if (text === undefined && !opts.clear) throw new CliError('Give the purpose, or --clear to remove it.', Exit.usage);
  return change(target, { purpose: opts.clear ? null : (text ?? null) }, opts);
}

/** `parley channel leave #ops`. */
export async function leaveConversation(target: string): Promise<void> {
  const client = clientFromConfig();
  const conv = await client.resolveTarget(target);
  await client.leaveConversation(conv.id);
  process.stderr.write(`You left ${await new Names(client).conversation(conv)}.\n`);
}

/** `parley members #ops`: who is in it and their roles, owners first. */
export async function listMembers(target: string, opts: { json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const members = await client.members((await client.resolveTarget(target)).id);
  const rank = { owner: 0, admin: 1, member: 2 } as const;
  members.sort((a, b) => rank[a.role] - rank[b.role] || a.user.username.localeCompare(b.user.username));
  for (const m of members) {
    if (opts.json) printJson(m);
    else process.stdout.write(`${m.user.username.padEnd(24)} ${m.role.padEnd(6)} ${m.user.display_name}\n`);
  }
}

/** `parley members add #ops @alice @bob`. */
export async function addMembers(target: string, users: string[]): Promise<void> {
  const client = clientFromConfig();
  const conv = await client.resolveTarget(target);
  const name = await new Names(client).conversation(conv);
  for (const who of users) {
    const u = await userNamed(client, who);
    await client.addMember(conv.id, u.id);
    process.stderr.write(`Added @${u.username} to ${name}.\n`);
  }
}

/** `parley members remove #ops @bob` (owners and admins of the conversation). */
export async function removeMember(target: string, user: string): Promise<void> {
  const client = clientFromConfig();
  const conv = await client.resolveTarget(target);
  const u = await userNamed(client, user);
  await client.removeMember(conv.id, u.id);
  process.stderr.write(`Removed @${u.username} from ${await new Names(client).conversation(conv)}.\n`);
}

/** `parley members role #ops @bob admin`. */
export async function memberRole(target: string, user: string, role: string): Promise<void> {
  if (!(['owner', 'admin', 'member'] as const).some((r) => r === role)) throw new CliError(`${role}: the role is one of owner, admin, member.`, Exit.usage);
  const client = clientFromConfig();
  const conv = await client.resolveTarget(target);
  const u = await userNamed(client, user);
  const m = await client.setMemberRole(conv.id, u.id, role as MemberRole);
  process.stderr.write(`@${m.user.username} is now ${m.role} in ${await new Names(client).conversation(conv)}.\n`);
}

/** `parley edits MESSAGE_ID`: the message as it reads now, then each earlier version (its sender and admins). */
export async function messageEdits(messageId: string, opts: { json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const [msg, edits] = await Promise.all([client.rest.request<Message>('GET', `/messages/${encodeURIComponent(messageId)}`), client.messageEdits(messageId)]);
  if (opts.json) return edits.forEach((e) => printJson(e));
  const indent = (body: string) => body.replace(/^/gm, '  ');
  if (!msg.edited_at) process.stderr.write(`Message ${msg.id} was never edited.\n`);
  const out = [`now${msg.edited_at ? ` (edited ${time(msg.edited_at)})` : ''}:\n${indent(msg.body)}`];
  edits.forEach((e, i) => out.push(`${i === edits.length - 1 ? 'original, until' : 'until'} ${time(e.edited_at)}:\n${indent(e.previous_body)}`));
  process.stdout.write(`${out.join('\n')}\n`);
}
