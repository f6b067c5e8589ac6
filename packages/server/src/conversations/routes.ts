import { Type } from '@sinclair/typebox';
import {
  AddMemberBody,
  Conversation,
  ConversationList,
  CreateConversationBody,
  EventsPage,
  EventsQuery,
  Member,
  MemberList,
  MuteBody,
  NoticesPage,
  NoticesQuery,
  SetNotifyLevelBody,
  SetRoleBody,
  SyncBody,
  SyncResult,
  UpdateConversationBody,
} from '@parley/protocol';
import { actorOf, readRateLimit } from '../http/auth.js';
import { noticesOf } from '../sync/notices.js';
import { bearer, ConvUserParams, IdParams, NoContent, responses, SearchQuery, type RoutesPlugin } from '../http/schemas.js';

export const conversationsRoutes: RoutesPlugin = async (app, { services }) => {
  // Reads charge the per-user read budget (after the scope's authentication); socket reads charge the same.
  const read = readRateLimit(services);
  const c = services.conversations;
  const tags = ['conversations'];

  app.post(
    '/conversations',
    {
      schema: {
        tags,
        summary: 'Open a DM (idempotent: 200 with the existing one), create a group or a channel (201)',
        security: bearer,
        body: CreateConversationBody,
        response: responses({ 200: Conversation, 201: Conversation }),
      },
    },
    async (req, reply) => {
      const { conversation, created } = await c.create(actorOf(req), req.body);
      return reply.status(created ? 201 : 200).send(conversation);
    },
  );

  app.get(
    '/conversations',
    {
      preHandler: read,
      schema: {
        tags,
        summary: 'My conversations with last message, unread and mention counts',
        security: bearer,
        querystring: Type.Object({ include_left: Type.Optional(Type.Boolean()) }),
        response: responses({ 200: ConversationList }),
      },
    },
    async (req) => ({ conversations: await c.listMine(actorOf(req), req.query.include_left ?? false) }),
  );

  app.get('/channels', { schema: { tags, summary: 'Browse public channels', security: bearer, querystring: SearchQuery, response: responses({ 200: ConversationList }) } }, async (req) => ({
    conversations: await c.browse(actorOf(req), req.query.query ?? '', req.query.limit ?? 100),
  }));

  app.get('/conversations/:id', { preHandler: read, schema: { tags, summary: 'One conversation', security: bearer, params: IdParams, response: responses({ 200: Conversation }) } }, async (req) =>
    c.get(actorOf(req), req.params.id),
  );

  app.patch(
    '/conversations/:id',
    {
      schema: {
        tags,
        summary: 'Rename, set the topic or purpose, archive or unarchive, choose what members added later read',
        security: bearer,
        params: IdParams,
        body: UpdateConversationBody,
        response: responses({ 200: Conversation }),
      },
    },
    async (req) => c.update(actorOf(req), req.params.id, req.body),
  );

  app.post('/conversations/:id/join', { schema: { tags, summary: 'Join a public channel', security: bearer, params: IdParams, response: responses({ 200: Conversation }) } }, async (req) =>
    c.join(actorOf(req), req.params.id),
  );

  app.post('/conversations/:id/leave', { schema: { tags, summary: 'Leave a group or channel', security: bearer, params: IdParams, response: responses({ 204: NoContent }) } }, async (req, reply) => {
    await c.leave(actorOf(req), req.params.id);
    return reply.status(204).send(null);
  });

  app.get('/conversations/:id/members', { schema: { tags, summary: 'Current members', security: bearer, params: IdParams, response: responses({ 200: MemberList }) } }, async (req) => ({
    members: await c.members(actorOf(req), req.params.id),
  }));

  app.post(
    '/conversations/:id/members',
    { schema: { tags, summary: 'Add a member', security: bearer, params: IdParams, body: AddMemberBody, response: responses({ 200: Conversation }) } },
    async (req) => c.invite(actorOf(req), req.params.id, req.body.user_id),
  );

  app.put(
    '/conversations/:id/mute',
    {
      schema: {
        tags,
        summary: 'Mute or unmute a conversation for yourself (no notifications but mentions)',
        security: bearer,
        params: IdParams,
        body: MuteBody,
        response: responses({ 200: Conversation }),
      },
    },
    async (req) => c.setMuted(actorOf(req), req.params.id, req.body.muted),
  );

  app.put(
    '/conversations/:id/notify',
    {
      schema: {
        tags,
        summary: 'What notifies you here: every message, only mentions of you, or nothing (yours alone)',
        security: bearer,
        params: IdParams,
        body: SetNotifyLevelBody,
        response: responses({ 200: Conversation }),
      },
    },
    async (req) => c.setNotify(actorOf(req), req.params.id, req.body.level),
  );

  app.delete(
    '/conversations/:id/members/:user_id',
    { schema: { tags, summary: 'Remove a member (admins)', security: bearer, params: ConvUserParams, response: responses({ 204: NoContent }) } },
    async (req, reply) => {
      await c.kick(actorOf(req), req.params.id, req.params.user_id);
      return reply.status(204).send(null);
    },
  );

  app.patch(
    '/conversations/:id/members/:user_id',
    { schema: { tags, summary: "Change a member's role", security: bearer, params: ConvUserParams, body: SetRoleBody, response: responses({ 200: Member }) } },
    async (req) => c.setRole(actorOf(req), req.params.id, req.params.user_id, req.body.role),
  );

  app.post(
    '/sync',
    { preHandler: read, schema: { tags: ['sync'], summary: 'Which conversations moved past my cursors', security: bearer, body: SyncBody, response: responses({ 200: SyncResult }) } },
    async (req) => services.sync.sync(actorOf(req), req.body.cursors, req.body.events_limit ?? 0),
  );

  app.get(
    '/conversations/:id/events',
    {
      preHandler: read,
      schema: { tags: ['sync'], summary: 'A page of log events after a seq', security: bearer, params: IdParams, querystring: EventsQuery, response: responses({ 200: EventsPage }) },
    },
    async (req) => services.sync.events(actorOf(req), req.params.id, req.query.after_seq, req.query.limit),
  );

  app.get(
    '/conversations/:id/notices',
    {
      preHandler: read,
      schema: {
        tags: ['sync'],
        summary: 'Membership and rename/topic events of a span of the log, newest first up to limit, in seq order: the lines a timeline shows between messages',
        security: bearer,
        params: IdParams,
        querystring: NoticesQuery,
        response: responses({ 200: NoticesPage }),
      },
    },
    async (req) => noticesOf(services.deps, actorOf(req), req.params.id, req.query),
  );
};
