import { Message, PinsPage, PinsQuery, SavedMessage, SavedPage, SavedQuery } from '@parley/protocol';
import { actorOf, readRateLimit } from '../http/auth.js';
import { bearer, IdParams, NoContent, responses, type RoutesPlugin } from '../http/schemas.js';

/** Pins (shared with the conversation, log events) and saved messages (mine alone). */
export const pinsRoutes: RoutesPlugin = async (app, { services }) => {
  // Reads charge the per-user read budget, as history does.
  const read = readRateLimit(services);
  const tags = ['messages'];

  app.post(
    '/messages/:id/pin',
    {
      schema: {
        tags,
        summary: 'Pin a message to its conversation (members who may post; never a burn-after-reading message); answers the message',
        security: bearer,
        params: IdParams,
        response: responses({ 200: Message }),
      },
    },
    async (req) => services.pins.change(actorOf(req), req.params.id, 'add'),
  );

  app.delete(
    '/messages/:id/pin',
    {
      schema: {
        tags,
        summary: 'Unpin a message (whoever pinned it, admins, either side of a DM); answers the message',
        security: bearer,
        params: IdParams,
        response: responses({ 200: Message }),
      },
    },
    async (req) => services.pins.change(actorOf(req), req.params.id, 'remove'),
  );

  app.get(
    '/conversations/:id/pins',
    {
      preHandler: read,
      schema: {
        tags,
        summary: 'The pinned messages I may read, newest pin first; before_seq pages back',
        security: bearer,
        params: IdParams,
        querystring: PinsQuery,
        response: responses({ 200: PinsPage }),
      },
    },
    async (req) => services.pins.list(actorOf(req), req.params.id, req.query),
  );

  app.put(
    '/messages/:id/saved',
    {
      schema: { tags, summary: 'Save a message for myself (private; idempotent)', security: bearer, params: IdParams, response: responses({ 200: SavedMessage }) },
    },
    async (req) => services.saved.save(actorOf(req), req.params.id),
  );

  app.delete('/messages/:id/saved', { schema: { tags, summary: 'Unsave a message (idempotent)', security: bearer, params: IdParams, response: responses({ 204: NoContent }) } }, async (req, reply) => {
    await services.saved.unsave(actorOf(req), req.params.id);
    return reply.status(204).send(null);
  });

  app.get(
    '/me/saved',
    {
      preHandler: read,
      schema: {
        tags,
        summary: 'My saved messages I may still read, last saved first; cursor pages on',
        security: bearer,
        querystring: SavedQuery,
        response: responses({ 200: SavedPage }),
      },
    },
    async (req) => services.saved.list(actorOf(req), req.query),
  );
};
