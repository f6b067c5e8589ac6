import {
  EditMessageBody,
  HistoryPage,
  HistoryQuery,
  MarkReadBody,
  Message,
  MessageEditList,
  ReactionBody,
  ReadCursor,
  RevealedMessage,
  SendMessageBody,
  SentMessage,
  TagBody,
  TagList,
  ThreadPage,
  ThreadQuery,
  TypingBody,
} from '@parley/protocol';
import { actorOf, readRateLimit } from '../http/auth.js';
import { bearer, IdParams, NoContent, ReactionParams, responses, TagParams, type RoutesPlugin } from '../http/schemas.js';

export const messagesRoutes: RoutesPlugin = async (app, { services }) => {
  // Reads charge the per-user read budget (after the scope's authentication); socket reads charge the same.
  const read = readRateLimit(services);
  const m = services.messages;
  const tags = ['messages'];

  app.post(
    '/conversations/:id/messages',
    {
      schema: {
        tags,
        summary: 'Send a message (idempotent on client_msg_id: 200 with the original on a retry); answered after commit',
        security: bearer,
        params: IdParams,
        body: SendMessageBody,
        response: responses({ 200: SentMessage, 201: SentMessage }),
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const ack = await m.send(actor, { conv_id: req.params.id, ...req.body });
      if (!ack.duplicate) services.presence.stoppedBySend(actor.userId, req.params.id);
      return reply.status(ack.duplicate ? 200 : 201).send(ack.secrets ? { ...ack.message, secrets: ack.secrets } : ack.message);
    },
  );

  app.get(
    '/conversations/:id/messages',
    {
      preHandler: read,
      schema: {
        tags,
        summary: 'History in seq order: after_seq pages forward, before_seq backward, neither gives the latest',
        security: bearer,
        params: IdParams,
        querystring: HistoryQuery,
        response: responses({ 200: HistoryPage }),
      },
    },
    async (req) => m.history(actorOf(req), req.params.id, req.query),
  );

  app.get('/messages/:id', { preHandler: read, schema: { tags, summary: 'One message', security: bearer, params: IdParams, response: responses({ 200: Message }) } }, async (req) =>
    m.get(actorOf(req), req.params.id),
  );

  app.post(
    '/messages/:id/reveal',
    {
      preHandler: read,
      schema: {
        tags,
        summary: "A burn-after-reading message's text and files, for me; my first reveal starts my timer (410 burned after it)",
        security: bearer,
        params: IdParams,
        response: responses({ 200: RevealedMessage }),
      },
    },
    async (req) => m.reveal(actorOf(req), req.params.id),
  );

  app.patch(
    '/messages/:id',
    { schema: { tags, summary: 'Edit my message within the edit window', security: bearer, params: IdParams, body: EditMessageBody, response: responses({ 200: Message }) } },
    async (req) => m.edit(actorOf(req), req.params.id, req.body.body),
  );

  app.delete(
    '/messages/:id',
    { schema: { tags, summary: 'Recall a message (sender within the window; admins always); answers the tombstone', security: bearer, params: IdParams, response: responses({ 200: Message }) } },
    async (req) => m.recall(actorOf(req), req.params.id),
  );

  app.get(
    '/messages/:id/thread',
    {
      preHandler: read,
      schema: {
        tags,
        summary: 'A thread: root and the latest replies, or those before before_seq',
        security: bearer,
        params: IdParams,
        querystring: ThreadQuery,
        response: responses({ 200: ThreadPage }),
      },
    },
    async (req) => m.thread(actorOf(req), req.params.id, req.query),
  );

  app.get(
    '/messages/:id/edits',
    { preHandler: read, schema: { tags, summary: 'Edit history (sender and admins)', security: bearer, params: IdParams, response: responses({ 200: MessageEditList }) } },
    async (req) => ({ edits: await m.edits(actorOf(req), req.params.id) }),
  );

  app.post('/messages/:id/reactions', { schema: { tags, summary: 'Add my reaction', security: bearer, params: IdParams, body: ReactionBody, response: responses({ 200: Message }) } }, async (req) =>
    m.react(actorOf(req), req.params.id, req.body.emoji, 'add'),
  );

  app.delete('/messages/:id/reactions/:emoji', { schema: { tags, summary: 'Remove my reaction', security: bearer, params: ReactionParams, response: responses({ 200: Message }) } }, async (req) =>
    m.react(actorOf(req), req.params.id, req.params.emoji, 'remove'),
  );

  app.post('/messages/:id/tags', { schema: { tags, summary: 'Tag a message (/tag)', security: bearer, params: IdParams, body: TagBody, response: responses({ 200: Message }) } }, async (req) =>
    services.tags.change(actorOf(req), req.params.id, req.body.tag, 'add'),
  );

  app.delete(
    '/messages/:id/tags/:tag',
    { schema: { tags, summary: 'Remove a tag added to a message (tags in its text go with an edit)', security: bearer, params: TagParams, response: responses({ 200: Message }) } },
    async (req) => services.tags.change(actorOf(req), req.params.id, req.params.tag, 'remove'),
  );

  app.get(
    '/conversations/:id/tags',
    { preHandler: read, schema: { tags, summary: 'The conversation’s tags with counts, most used first', security: bearer, params: IdParams, response: responses({ 200: TagList }) } },
    async (req) => ({ tags: await services.tags.list(actorOf(req), req.params.id) }),
  );

  app.post(
    '/conversations/:id/read',
    { schema: { tags: ['receipts'], summary: 'Move my read cursor forward', security: bearer, params: IdParams, body: MarkReadBody, response: responses({ 200: ReadCursor }) } },
    async (req) => services.receipts.markRead(actorOf(req), req.params.id, req.body.seq),
  );

  app.post(
    '/conversations/:id/typing',
    { schema: { tags: ['presence'], summary: 'Signal that I am typing (or stopped)', security: bearer, params: IdParams, body: TypingBody, response: responses({ 204: NoContent }) } },
    async (req, reply) => {
      await services.presence.typing(actorOf(req), req.params.id, req.body?.thread_root_id ?? null, req.body?.active ?? true);
      return reply.status(204).send(null);
    },
  );
};
