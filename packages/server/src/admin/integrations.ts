import type { AdminIntegration, AdminIntegrationType } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { iso, isoOrNull } from '../core/time.js';
import { can } from '../conversations/policy.js';
import { integrationBot } from '../auth/api-tokens.js';
import type { ConversationsTable, MembersTable } from '../store/schema.js';

type Place = NonNullable<AdminIntegration['conversation']>;
type Person = NonNullable<AdminIntegration['created_by']>;

/**
 * Every live integration of the workspace on one list for its owners and admins: incoming and
 * outgoing webhooks with their conversation, custom slash commands, and bot accounts, each with who
 * made it, when it last did anything and whether the asker may remove it. The same policy as the
 * conversation's own webhook routes decides the webhooks' `can_remove`, so the console offers
 * nothing the removal would refuse. A private conversation shows its name, never its messages,
 * as the channels tab does. The caller checks the role.
 */
export async function listIntegrations(deps: Deps, actor: Actor, only?: AdminIntegrationType): Promise<AdminIntegration[]> {
  const { db } = deps;
  const want = (t: AdminIntegrationType) => only === undefined || only === t;
  const [incoming, outgoing, commands, bots] = await Promise.all([
    want('incoming_webhook') ? db.selectFrom('incoming_webhooks').selectAll().where('revoked_at', 'is', null).execute() : [],
    want('outgoing_webhook') ? db.selectFrom('outgoing_webhooks').selectAll().where('revoked_at', 'is', null).execute() : [],
    want('slash_command') ? db.selectFrom('slash_commands').selectAll().where('revoked_at', 'is', null).execute() : [],
    want('bot')
      ? db
          .selectFrom('users')
          .select(['id', 'username', 'display_name', 'bot_owner_id', 'created_at'])
          .where('bot_owner_id', 'is not', null)
          .where('deactivated_at', 'is', null)
          // Integrations' own bots are listed as their integration; Parley's own (self-owned) not at all.
          .where((eb) => eb.not(integrationBot(eb)))
          .execute()
      : [],
  ]);

  const convIds = [...new Set([...incoming, ...outgoing].map((h) => h.conv_id))];
  const outIds = outgoing.map((h) => h.id);
  const cmdIds = commands.map((c) => c.id);
  const botIds = bots.map((b) => b.id);
  const [convs, mine, deliveries, runs, tokens] = await Promise.all([
    convIds.length ? db.selectFrom('conversations').selectAll().where('id', 'in', convIds).execute() : ([] as ConversationsTable[]),
    convIds.length ? db.selectFrom('members').selectAll().where('conv_id', 'in', convIds).where('user_id', '=', actor.userId).execute() : ([] as MembersTable[]),
    outIds.length
      ? db
          .selectFrom('webhook_deliveries')
          .select((eb) => ['hook_id', eb.fn.max('delivered_at').as('last'), eb.fn.sum<number>(eb.case().when('state', '=', 'dead').then(1).else(0).end()).as('dead')])
          .where('hook_id', 'in', outIds)
          .groupBy('hook_id')
          .execute()
      : [],
    cmdIds.length
      ? db
          .selectFrom('command_invocations')
          .select((eb) => ['command_id', eb.fn.max('created_at').as('last')])
          .where('command_id', 'in', cmdIds)
          .groupBy('command_id')
          .execute()
      : [],
    botIds.length
      ? db
          .selectFrom('api_tokens')
          .select((eb) => ['user_id', eb.fn.max('last_used_at').as('last')])
          .where('user_id', 'in', botIds)
          .groupBy('user_id')
          .execute()
      : [],
  ]);

  const makers = [...new Set([...incoming, ...outgoing, ...commands].map((x) => x.created_by).concat(bots.map((b) => b.bot_owner_id!)))];
  const people = makers.length ? await db.selectFrom('users').select(['id', 'username']).where('id', 'in', makers).execute() : [];
  const person = (id: string): Person | null => {
    const p = people.find((u) => u.id === id);
    return p ? { id: p.id, username: p.username } : null;
  };
  const convById = new Map(convs.map((c) => [c.id, c]));
  const place = (id: string): Place | null => {
    const c = convById.get(id);
    if (!c || c.kind === 'dm') return null;
    return { id: c.id, name: c.name, kind: c.kind, visibility: c.visibility === 'public' ? 'public' : 'private', archived: c.archived_at !== null };
  };
  const mayManage = (convId: string) => {
    const conv = convById.get(convId);
    return !!conv && can(actor, 'conversation.manage_webhooks', { conv, member: mine.find((m) => m.conv_id === convId) ?? null });
  };
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

  const out: AdminIntegration[] = [
    ...incoming.map((h) => ({
      id: h.id,
      type: 'incoming_webhook' as const,
      name: h.name,
      detail: h.kind,
      conversation: place(h.conv_id),
      created_by: person(h.created_by),
      created_at: iso(Number(h.created_at)),
      last_used_at: isoOrNull(num(h.last_used_at)),
      dead_deliveries: 0,
      can_remove: mayManage(h.conv_id),
    })),
    ...outgoing.map((h) => {
      const d = deliveries.find((x) => x.hook_id === h.id);
      return {
        id: h.id,
        type: 'outgoing_webhook' as const,
        name: h.name,
        detail: h.url,
        conversation: place(h.conv_id),
        created_by: person(h.created_by),
        created_at: iso(Number(h.created_at)),
        last_used_at: isoOrNull(num(d?.last)),
        dead_deliveries: Number(d?.dead ?? 0),
        can_remove: mayManage(h.conv_id),
      };
    }),
    ...commands.map((c) => ({
      id: c.id,
      type: 'slash_command' as const,
      name: `/${c.command}`,
      detail: c.url,
      conversation: null,
      created_by: person(c.created_by),
      created_at: iso(Number(c.created_at)),
      last_used_at: isoOrNull(num(runs.find((r) => r.command_id === c.id)?.last)),
      dead_deliveries: 0,
      can_remove: true,
    })),
    ...bots.map((b) => ({
      id: b.id,
      type: 'bot' as const,
      name: b.display_name || b.username,
      detail: `@${b.username}`,
      conversation: null,
      created_by: person(b.bot_owner_id!),
      created_at: iso(Number(b.created_at)),
      last_used_at: isoOrNull(num(tokens.find((t) => t.user_id === b.id)?.last)),
      dead_deliveries: 0,
      can_remove: true,
    })),
  ];
  return out.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
