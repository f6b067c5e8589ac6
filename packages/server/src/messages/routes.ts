import type { FastifyInstance } from 'fastify';
import {
  EditMessageBody,
  HistoryQuery,
  MarkReadBody,
  ReactionBody,
  SendMessageBody,
  ThreadQuery,
  TypingBody,
  type EditMessageBody as EditT,
  type HistoryQuery as HistoryT,
  type MarkReadBody as MarkReadT,
  type ReactionBody as ReactionT,
  type SendMessageBody as SendT,
  type ThreadQuery as ThreadT,
  type TypingBody as TypingT,
} from '@parley/protocol';
import type { Services } from '../services.js';
import { actorOf, bearerAuth, readRateLimit } from '../http/auth.js';
import { bearer, IdParams, ReactionParams } from '../http/schemas.js';

type IdP = { Params: { id: string } };

export async function messagesRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const auth = bearerAuth(services);
  // Reads charge the per-user read budget after authentication; socket reads charge the same.
  const read = [auth, readRateLimit(services)];
  const m = services.messages;
  const tags = ['messages'];

  app.post<IdP & { Body: SendT }>(
    '/conversations/:id/messages',
    { preHandler: auth, schema: { tags, summary: 'Send a message (idempotent on client_msg_id); answered after commit', security: bearer, params: IdParams, body: SendMessageBody } },
    async (req, reply) => {
      const actor = actorOf(req);
      const ack = await m.send(actor, { conv_id: req.params.id, ...req.body });
      if (!ack.duplicate) services.presence.stoppedBySend(actor.userId, req.params.id);
      return reply.status(ack.duplicate ? 200 : 201).send(ack.message);
    },
  );

  app.get<IdP & { Querystring: HistoryT }>(
    '/conversations/:id/messages',
    { preHandler: read, schema: { tags, summary: 'History in seq order: after_seq pages forward, before_seq backward, neither gives the latest', security: bearer, params: IdParams, querystring: HistoryQuery } },
    async (req) => m.history(actorOf(req), req.params.id, req.query),
  );

  app.get<IdP>('/messages/:id', { preHandler: read, schema: { tags, summary: 'One message', security: bearer, params: IdParams } }, async (req) =>
    m.get(actorOf(req), req.params.id),
  );

  app.patch<IdP & { Body: EditT }>(
    '/messages/:id',
    { preHandler: auth, schema: { tags, summary: 'Edit my message within the edit window', security: bearer, params: IdParams, body: EditMessageBody } },
    async (req) => m.edit(actorOf(req), req.params.id, req.body.body),
  );

  app.delete<IdP>(
    '/messages/:id',
    { preHandler: auth, schema: { tags, summary: 'Recall a message (sender within the window; admins always)', security: bearer, params: IdParams } },
    async (req) => m.recall(actorOf(req), req.params.id),
  );

  app.get<IdP & { Querystring: ThreadT }>(
    '/messages/:id/thread',
    { preHandler: read, schema: { tags, summary: 'A thread: root and the latest replies, or those before before_seq', security: bearer, params: IdParams, querystring: ThreadQuery } },
    async (req) => m.thread(actorOf(req), req.params.id, req.query),
  );

  app.get<IdP>('/messages/:id/edits', { preHandler: read, schema: { tags, summary: 'Edit history (sender and admins)', security: bearer, params: IdParams } }, async (req) => ({
    edits: await m.edits(actorOf(req), req.params.id),
  }));

  app.post<IdP & { Body: ReactionT }>(
    '/messages/:id/reactions',
    { preHandler: auth, schema: { tags, summary: 'Add my reaction', security: bearer, params: IdParams, body: ReactionBody } },
    async (req) => m.react(actorOf(req), req.params.id, req.body.emoji, 'add'),
  );

  app.delete<{ Params: { id: string; emoji: string } }>(
    '/messages/:id/reactions/:emoji',
    { preHandler: auth, schema: { tags, summary: 'Remove my reaction', security: bearer, params: ReactionParams } },
    async (req) => m.react(actorOf(req), req.params.id, req.params.emoji, 'remove'),
  );

  app.post<IdP & { Body: MarkReadT }>(
    '/conversations/:id/read',
    { preHandler: auth, schema: { tags: ['receipts'], summary: 'Move my read cursor forward', security: bearer, params: IdParams, body: MarkReadBody } },
    async (req) => services.receipts.markRead(actorOf(req), req.params.id, req.body.seq),
  );

  app.post<IdP & { Body: TypingT }>(
    '/conversations/:id/typing',
    {
      preHandler: auth,
      schema: {
        tags: ['presence'],
        summary: 'Signal that I am typing (or stopped)',
        security: bearer,
        params: IdParams,
        body: TypingBody,
      },
    },
    async (req, reply) => {
      await services.presence.typing(actorOf(req), req.params.id, req.body?.thread_root_id ?? null, req.body?.active ?? true);
      return reply.status(204).send();
    },
  );
}
