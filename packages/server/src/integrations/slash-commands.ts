import crypto from 'node:crypto';
import type { CommandResult, CreateCommandBody, CreatedSlashCommand, EphemeralMessage, RunCommandBody, SlashCommand } from '@parley/protocol';
import { PROTOCOL_LEVEL } from '@parley/protocol';
import type { Actor, Deps, Role } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { isId, newId } from '../core/ids.js';
import { iso } from '../core/time.js';
import type { Limiter } from '../core/limits.js';
import type { AuditService } from '../audit/service.js';
import type { MessagesService } from '../messages/service.js';
import { accessConversation, readsSeq } from '../conversations/access.js';
import { assertCan } from '../conversations/policy.js';
import type { SlashCommandsTable } from '../store/schema.js';
import { hashSecret, safeEqual } from '../auth/tokens.js';
import { insertHookBot } from './hook-bot.js';
import { postOnce, privateLiteralHost } from './outbound-http.js';
import { signatureHeaders, slackToken } from './signing.js';
import { HookError } from './incoming-webhooks.js';
import { parsePayload, PayloadError, toMarkdown, type SlackPayload } from './slack-payload.js';

const privileged = (r: string) => r === 'owner' || r === 'admin';

/** Slack's limits for a command: an answer within 3 s, then up to 5 delayed answers within 30 minutes. */
export const COMMAND_TIMEOUT_MS = 3_000;
export const RESPONSE_URL_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60_000;
/** What the composer handles itself; a custom command cannot take these names. */
export const BUILT_IN_COMMANDS = ['me', 'shrug', 'code', 'topic', 'invite', 'leave', 'help', 'mute', 'remind', 'tag', 'burn'] as const;

interface Answer {
  responseType: 'ephemeral' | 'in_channel';
  payload: SlackPayload;
}

/**
 * Custom slash commands. A workspace admin registers `/name` with an endpoint; anyone who may
 * post in a conversation can run it there. The endpoint gets Slack's form fields, signed like an
 * outgoing webhook, and answers within 3 s — `ephemeral` (only the caller's devices see it, never
 * stored) or `in_channel` (posted in the conversation as the caller, who ran it, as Mattermost
 * does) — and later through `response_url`. Every answer is checked against the caller's rights
 * when it arrives, not when the command was run.
 */
export class SlashCommandsService {
  constructor(
    private readonly deps: Deps,
    private readonly audit: AuditService,
    private readonly messages: MessagesService,
    private readonly sendLimiter: Limiter,
  ) {}

  async create(actor: Actor, body: CreateCommandBody): Promise<CreatedSlashCommand> {
    const { db, now, config } = this.deps;
    if (!privileged(actor.role)) throw new AppError('forbidden', 'Only workspace owners and admins add slash commands.');
    if ((BUILT_IN_COMMANDS as readonly string[]).includes(body.command)) throw new AppError('conflict', `/${body.command} is built in.`, { field: '/body/command' });
    if (!config.outgoingAllowPrivate && privateLiteralHost(body.url)) {
      throw new AppError('invalid_request', 'The URL points at a loopback, private or link-local address; the server refuses those unless PARLEY_OUTGOING_ALLOW_PRIVATE=1.', { field: '/body/url' });
    }
    const id = newId();
    const secret = crypto.randomBytes(32).toString('base64url');
    const t = now();
    const row: SlashCommandsTable = {
      id,
      command: body.command,
      bot_user_id: newId(),
      url: body.url,
      description: body.description?.trim() ?? '',
      usage_hint: body.usage_hint?.trim() ?? '',
      secret,
      created_by: actor.userId,
      created_at: t,
      revoked_at: null,
    };
    try {
      await db.transaction().execute(async (trx) => {
        await insertHookBot(trx, { id: row.bot_user_id, hookId: id, prefix: 'cmd', name: body.name?.trim() || `/${body.command}`, iconUrl: body.icon_url ?? null, ownerId: actor.userId, at: t });
        await trx.insertInto('slash_commands').values(row).execute();
        await this.audit.record({ actor_id: actor.userId, action: 'command.created', target: id, data: { command: body.command, url: body.url }, ip: actor.ip ?? null }, trx);
      });
    } catch (e) {
      const live = await db.selectFrom('slash_commands').select('id').where('command', '=', body.command).where('revoked_at', 'is', null).executeTakeFirst();
      if (live) throw new AppError('conflict', `/${body.command} already exists.`, { field: '/body/command' });
      throw e;
    }
    return { ...present(row, true), secret, token: slackToken(secret) };
  }

  /** Every live command, for the composer's suggestions; endpoints only for admins. */
  async list(actor: Actor): Promise<SlashCommand[]> {
    const rows = await this.deps.db.selectFrom('slash_commands').selectAll().where('revoked_at', 'is', null).orderBy('command').execute();
    return rows.map((r) => present(r, privileged(actor.role)));
  }

  async revoke(actor: Actor, id: string): Promise<void> {
    const { db, now } = this.deps;
    if (!privileged(actor.role)) throw new AppError('forbidden', 'Only workspace owners and admins remove slash commands.');
    const row = isId(id) ? await db.selectFrom('slash_commands').selectAll().where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst() : undefined;
    if (!row) throw new AppError('not_found', 'No such command.');
    const t = now();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('slash_commands').set({ revoked_at: t }).where('id', '=', id).execute();
      await trx.updateTable('users').set({ deactivated_at: t }).where('id', '=', row.bot_user_id).execute();
      await this.audit.record({ actor_id: actor.userId, action: 'command.revoked', target: id, data: { command: row.command }, ip: actor.ip ?? null }, trx);
    });
  }

  /** `/command text` in a conversation. `baseUrl`: how the caller reached this server, for the response_url. */
  async run(actor: Actor, body: RunCommandBody, baseUrl: string): Promise<CommandResult> {
    const { db, now, config } = this.deps;
    const cmd = await db.selectFrom('slash_commands').selectAll().where('command', '=', body.command).where('revoked_at', 'is', null).executeTakeFirst();
    if (!cmd) throw new AppError('not_found', `There is no command /${body.command}.`, { field: '/body/command' });
    const a = await accessConversation(db, actor, body.conv_id);
    assertCan(actor, 'message.send', a);
    if (a.conv.archived_at !== null) throw new AppError('conversation_archived');
    if (body.thread_root_id) {
      const root = await db.selectFrom('messages').select(['conv_id', 'seq']).where('id', '=', body.thread_root_id).executeTakeFirst();
      if (!root || root.conv_id !== body.conv_id || !readsSeq(actor, a, Number(root.seq))) throw new AppError('not_found', 'No such thread.', { field: '/body/thread_root_id' });
    }
    // A command costs what a message costs: a loop of them is held by the same budget.
    const wait = await this.sendLimiter.take(actor.userId);
    if (wait > 0) throw new AppError('rate_limited', 'Too many messages; retry later.', { retry_after_ms: wait });
    const user = await db.selectFrom('users').select(['username']).where('id', '=', actor.userId).executeTakeFirstOrThrow();
    const invocationId = newId();
    const secret = crypto.randomBytes(24).toString('base64url');
    await db
      .insertInto('command_invocations')
      .values({
        id: invocationId,
        command_id: cmd.id,
        conv_id: body.conv_id,
        user_id: actor.userId,
        thread_root_id: body.thread_root_id ?? null,
        secret_hash: hashSecret(secret),
        created_at: now(),
        uses: 0,
      })
      .execute();
    const form = new URLSearchParams({
      token: slackToken(cmd.secret),
      team_id: 'parley',
      team_domain: 'parley',
      channel_id: body.conv_id,
      channel_name: a.conv.name ?? a.conv.kind,
      user_id: actor.userId,
      user_name: user.username,
      command: `/${cmd.command}`,
      text: body.text,
      response_url: `${baseUrl}/hooks/commands/${invocationId}/${secret}`,
      trigger_id: invocationId,
      thread_root_id: body.thread_root_id ?? '',
    }).toString();
    const r = await postOnce(cmd.url, { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': `Parley-Commands/${PROTOCOL_LEVEL}`, ...signatureHeaders(cmd.secret, form, now()) }, form, {
      timeoutMs: COMMAND_TIMEOUT_MS,
      allowPrivate: config.outgoingAllowPrivate,
      maxResponseBytes: 64 * 1024,
    });
    if (r.status === null) throw new AppError('command_failed', `/${cmd.command} did not answer: ${r.error ?? 'no answer'}.`);
    if (r.status < 200 || r.status >= 300) throw new AppError('command_failed', `/${cmd.command} answered ${r.status}.`);
    const answer = readAnswer(r.body, r.contentType);
    if (!answer) return { ephemeral: null, posted: null };
    return this.deliver(actor, cmd, { convId: body.conv_id, threadRootId: body.thread_root_id ?? null, invocationId, n: 0 }, answer);
  }

  /**
   * A delayed answer to `response_url` (Slack's: up to 5 within 30 minutes). The URL is the
   * credential; the caller must still be allowed to post there when it arrives.
   */
  async respond(invocationId: string, secret: string, raw: unknown): Promise<CommandResult> {
    const { db, now } = this.deps;
    const gone = () => new HookError('not_found', 'expired_url', 'No such response URL, or it expired.');
    if (!isId(invocationId)) throw gone();
    const inv = await db.selectFrom('command_invocations').selectAll().where('id', '=', invocationId).executeTakeFirst();
    if (!inv || !safeEqual(hashSecret(secret), inv.secret_hash) || now() - Number(inv.created_at) > RESPONSE_URL_TTL_MS) throw gone();
    let payload: SlackPayload;
    try {
      payload = parsePayload(raw);
    } catch (e) {
      if (e instanceof PayloadError) throw new HookError('invalid_request', e.slack, e.message, e.field ? { field: e.field } : {});
      throw e;
    }
    const cmd = await db.selectFrom('slash_commands').selectAll().where('id', '=', inv.command_id).executeTakeFirst();
    if (!cmd || cmd.revoked_at !== null) throw gone();
    // Counted before it is posted, atomically: five answers at once take five uses, never six.
    const used = await db
      .updateTable('command_invocations')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('id', '=', inv.id)
      .where('uses', '<', RESPONSE_URL_USES)
      .returning('uses')
      .executeTakeFirst();
    if (!used) throw new HookError('rate_limited', 'used_url', `A response URL takes at most ${RESPONSE_URL_USES} answers.`);
    const caller = await db.selectFrom('users').select(['id', 'role', 'deactivated_at']).where('id', '=', inv.user_id).executeTakeFirst();
    if (!caller || caller.deactivated_at !== null) throw gone();
    const actor: Actor = { userId: caller.id, role: caller.role as Role, sessionId: `cmd-${inv.id}`, via: 'token' };
    const responseType = (raw as { response_type?: unknown }).response_type === 'in_channel' ? 'in_channel' : 'ephemeral';
    return this.deliver(actor, cmd, { convId: inv.conv_id, threadRootId: inv.thread_root_id, invocationId: inv.id, n: Number(used.uses) }, { responseType, payload });
  }

  private async deliver(actor: Actor, cmd: SlashCommandsTable, where: { convId: string; threadRootId: string | null; invocationId: string; n: number }, answer: Answer): Promise<CommandResult> {
    const { db, now, config } = this.deps;
    const body = toMarkdown(answer.payload, () => undefined).slice(0, config.limits.maxMessageChars);
    // The caller's rights as they are now: one who left the conversation gets nothing more from it.
    const a = await accessConversation(db, actor, where.convId);
    assertCan(actor, 'message.send', a);
    if (answer.responseType === 'in_channel') {
      const ack = await this.messages.send(actor, {
        conv_id: where.convId,
        client_msg_id: `cmd_${where.invocationId}_${where.n}`,
        body,
        ...(where.threadRootId ? { reply_to: where.threadRootId } : {}),
      });
      return { ephemeral: null, posted: { id: ack.id, seq: ack.seq } };
    }
    const message: EphemeralMessage = { id: newId(), conv_id: where.convId, thread_root_id: where.threadRootId, sender_id: cmd.bot_user_id, body, created_at: iso(now()) };
    this.deps.publisher.toUser(actor.userId, { type: 'message.ephemeral', message });
    return { ephemeral: message, posted: null };
  }
}

/** A command's immediate answer: Slack-shaped JSON, or plain text (ephemeral); nothing for an empty body. */
function readAnswer(body: string, contentType: string): Answer | null {
  if (body.trim() === '') return null;
  if (!/json/i.test(contentType)) return { responseType: 'ephemeral', payload: { text: body.slice(0, 40_000), mrkdwn: true, attachments: [], blocks: [] } };
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new AppError('command_failed', 'The command answered JSON that does not parse.');
  }
  if (raw === null || typeof raw !== 'object' || Object.keys(raw).length === 0) return null;
  let payload: SlackPayload;
  try {
    payload = parsePayload(raw);
  } catch (e) {
    // `{"response_type": "in_channel"}` alone acknowledges without a message.
    if (e instanceof PayloadError && e.slack === 'no_text') return null;
    if (e instanceof PayloadError) throw new AppError('command_failed', `The command's answer is not a valid message: ${e.message}`);
    throw e;
  }
  return { responseType: (raw as { response_type?: unknown }).response_type === 'in_channel' ? 'in_channel' : 'ephemeral', payload };
}

function present(r: SlashCommandsTable, withUrl: boolean): SlashCommand {
  return { id: r.id, command: r.command, description: r.description, usage_hint: r.usage_hint, bot_user_id: r.bot_user_id, url: withUrl ? r.url : null, created_at: iso(Number(r.created_at)) };
}
