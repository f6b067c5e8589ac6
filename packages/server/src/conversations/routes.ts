import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  AddMemberBody,
  CreateConversationBody,
  EventsQuery,
  SetRoleBody,
  SyncBody,
  UpdateConversationBody,
  type AddMemberBody as AddMemberT,
  type CreateConversationBody as CreateT,
  type EventsQuery as EventsT,
  type SetRoleBody as SetRoleT,
  type SyncBody as SyncT,
  type UpdateConversationBody as UpdateT,
} from '@parley/protocol';
import type { Services } from '../services.js';
import { actorOf, bearerAuth, readRateLimit } from '../http/auth.js';
import { bearer, ConvUserParams, IdParams, SearchQuery } from '../http/schemas.js';

type IdP = { Params: { id: string } };
type ConvUserP = { Params: { id: string; user_id: string } };

export async function conversationsRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const auth = bearerAuth(services);
  // Reads charge the per-user read budget after authentication; socket reads charge the same.
  const read = [auth, readRateLimit(services)];
  const c = services.conversations;
  const tags = ['conversations'];

  app.post<{ Body: CreateT }>(
    '/conversations',
    { preHandler: auth, schema: { tags, summary: 'Open a DM (idempotent), create a group or a channel', security: bearer, body: CreateConversationBody } },
    async (req, reply) => {
      const { conversation, created } = await c.create(actorOf(req), req.body);
      return reply.status(created ? 201 : 200).send(conversation);
    },
  );

  app.get<{ Querystring: { include_left?: boolean } }>(
    '/conversations',
    { preHandler: read, schema: { tags, summary: 'My conversations with last message, unread and mention counts', security: bearer, querystring: Type.Object({ include_left: Type.Optional(Type.Boolean()) }) } },
    async (req) => ({ conversations: await c.listMine(actorOf(req), req.query.include_left ?? false) }),
  );

  app.get<{ Querystring: { query?: string; limit?: number } }>(
    '/channels',
    { preHandler: auth, schema: { tags, summary: 'Browse public channels', security: bearer, querystring: SearchQuery } },
    async (req) => ({ conversations: await c.browse(actorOf(req), req.query.query ?? '', req.query.limit ?? 100) }),
  );

  app.get<IdP>('/conversations/:id', { preHandler: read, schema: { tags, summary: 'One conversation', security: bearer, params: IdParams } }, async (req) =>
    c.get(actorOf(req), req.params.id),
  );

  app.patch<IdP & { Body: UpdateT }>(
    '/conversations/:id',
    { preHandler: auth, schema: { tags, summary: 'Rename, set the topic, archive or unarchive', security: bearer, params: IdParams, body: UpdateConversationBody } },
    async (req) => c.update(actorOf(req), req.params.id, req.body),
  );

  app.post<IdP>('/conversations/:id/join', { preHandler: auth, schema: { tags, summary: 'Join a public channel', security: bearer, params: IdParams } }, async (req) =>
    c.join(actorOf(req), req.params.id),
  );

  app.post<IdP>('/conversations/:id/leave', { preHandler: auth, schema: { tags, summary: 'Leave a group or channel', security: bearer, params: IdParams } }, async (req, reply) => {
    await c.leave(actorOf(req), req.params.id);
    return reply.status(204).send();
  });

  app.get<IdP>('/conversations/:id/members', { preHandler: auth, schema: { tags, summary: 'Current members', security: bearer, params: IdParams } }, async (req) => ({
    members: await c.members(actorOf(req), req.params.id),
  }));

  app.post<IdP & { Body: AddMemberT }>(
    '/conversations/:id/members',
    { preHandler: auth, schema: { tags, summary: 'Add a member', security: bearer, params: IdParams, body: AddMemberBody } },
    async (req) => c.invite(actorOf(req), req.params.id, req.body.user_id),
  );

  app.delete<ConvUserP>(
    '/conversations/:id/members/:user_id',
    { preHandler: auth, schema: { tags, summary: 'Remove a member (admins)', security: bearer, params: ConvUserParams } },
    async (req, reply) => {
      await c.kick(actorOf(req), req.params.id, req.params.user_id);
      return reply.status(204).send();
    },
  );

  app.patch<ConvUserP & { Body: SetRoleT }>(
    '/conversations/:id/members/:user_id',
    { preHandler: auth, schema: { tags, summary: "Change a member's role", security: bearer, params: ConvUserParams, body: SetRoleBody } },
    async (req) => c.setRole(actorOf(req), req.params.id, req.params.user_id, req.body.role),
  );

  app.post<{ Body: SyncT }>(
    '/sync',
    { preHandler: read, schema: { tags: ['sync'], summary: 'Which conversations moved past my cursors', security: bearer, body: SyncBody } },
    async (req) => services.sync.sync(actorOf(req), req.body.cursors),
  );

  app.get<IdP & { Querystring: EventsT }>(
    '/conversations/:id/events',
    { preHandler: read, schema: { tags: ['sync'], summary: 'A page of log events after a seq', security: bearer, params: IdParams, querystring: EventsQuery } },
    async (req) => services.sync.events(actorOf(req), req.params.id, req.query.after_seq, req.query.limit),
  );
}
