import { AdminChannelList, AdminChannelQuery, AdminIntegrationList, AdminIntegrationQuery, AdminSessionList, ClusterStats, RevokedSessions } from '@parley/protocol';
import { actorOf } from '../http/auth.js';
import { bearer, IdParams, responses, type RoutesPlugin } from '../http/schemas.js';

/** The admin console's own reads and actions (admin/console.ts); user edits are `PATCH /admin/users/{id}`. */
export const adminConsoleRoutes: RoutesPlugin = async (app, { services }) => {
  const tags = ['admin'];

  app.get(
    '/admin/users/:id/sessions',
    {
      schema: {
        tags,
        summary: "A user's live device sessions (workspace owners and admins; an admin reaches members' and guests'); audited",
        security: bearer,
        params: IdParams,
        response: responses({ 200: AdminSessionList }),
      },
    },
    async (req) => ({ sessions: await services.console.listSessions(actorOf(req), req.params.id) }),
  );

  app.delete(
    '/admin/users/:id/sessions',
    {
      schema: {
        tags,
        summary: 'Sign a user out everywhere: every device session revoked and its sockets closed on every node; audited',
        security: bearer,
        params: IdParams,
        response: responses({ 200: RevokedSessions }),
      },
    },
    async (req) => ({ revoked: await services.console.revokeSessions(actorOf(req), req.params.id) }),
  );

  app.get(
    '/admin/channels',
    {
      schema: {
        tags,
        summary: 'Every channel, public and private, by name: owners, member count, archived, last activity (workspace owners and admins; never messages)',
        security: bearer,
        querystring: AdminChannelQuery,
        response: responses({ 200: AdminChannelList }),
      },
    },
    async (req) => services.console.listChannels(actorOf(req), req.query.query ?? '', req.query.limit ?? 50, req.query.offset ?? 0),
  );

  app.get(
    '/admin/integrations',
    {
      schema: {
        tags,
        summary:
          'Every live incoming and outgoing webhook (with its conversation), custom slash command and bot account, who made it and when it last acted (workspace owners and admins; never secrets)',
        security: bearer,
        querystring: AdminIntegrationQuery,
        response: responses({ 200: AdminIntegrationList }),
      },
    },
    async (req) => ({ integrations: await services.console.integrations(actorOf(req), req.query.type) }),
  );

  app.get(
    '/admin/stats',
    {
      schema: {
        tags,
        summary: "Live figures of every node (from each node's heartbeat in the database) and their totals (workspace owners and admins)",
        security: bearer,
        response: responses({ 200: ClusterStats }),
      },
    },
    async (req) => services.console.stats(actorOf(req)),
  );
};
