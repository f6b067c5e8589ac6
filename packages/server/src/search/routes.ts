import { SearchPage, SearchQuery } from '@parley/protocol';
import { actorOf, readRateLimit } from '../http/auth.js';
import { bearer, responses, type RoutesPlugin } from '../http/schemas.js';

export const searchRoutes: RoutesPlugin = async (app, { services }) => {
  app.get(
    '/search',
    {
      preHandler: readRateLimit(services),
      schema: {
        tags: ['search'],
        summary: 'Search the messages you may read: words, "phrases", -exclusions and filters (docs/search.md)',
        security: bearer,
        querystring: SearchQuery,
        response: responses({ 200: SearchPage }),
      },
    },
    async (req) => services.search.search(actorOf(req), req.query),
  );
};
