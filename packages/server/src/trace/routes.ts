import { MessageTrace } from '@parley/protocol';
import { actorOf } from '../http/auth.js';
import { bearer, IdParams, responses, type RoutesPlugin } from '../http/schemas.js';

/** `parley admin trace MESSAGE_ID`: where a message went (trace/service.ts). */
export const traceRoutes: RoutesPlugin = async (app, { services }) => {
  app.get(
    '/admin/messages/:id/trace',
    {
      schema: {
        tags: ['admin'],
        summary: "A message's trace: accepted, committed (batch), published (node), and per recipient device delivered and read, or why not yet (workspace owners and admins; never the content)",
        security: bearer,
        params: IdParams,
        response: responses({ 200: MessageTrace }),
      },
    },
    async (req) => services.trace.get(actorOf(req), req.params.id),
  );
};
