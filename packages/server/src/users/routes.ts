import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { UpdateProfileBody, User, type UpdateProfileBody as UpdateT } from '@parley/protocol';
import type { Services } from '../services.js';
import { actorOf, bearerAuth } from '../http/auth.js';
import { bearer, IdParams, SearchQuery } from '../http/schemas.js';

export async function usersRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const auth = bearerAuth(services);

  app.get('/me', { preHandler: auth, schema: { tags: ['users'], summary: 'Who am I', security: bearer, response: { 200: User } } }, async (req) =>
    services.users.getUser(actorOf(req).userId),
  );

  app.patch<{ Body: UpdateT }>(
    '/me',
    { preHandler: auth, schema: { tags: ['users'], summary: 'Update my profile', security: bearer, body: UpdateProfileBody, response: { 200: User } } },
    async (req) => services.users.updateProfile(actorOf(req), req.body),
  );

  app.get<{ Querystring: { query?: string; limit?: number } }>(
    '/users',
    { preHandler: auth, schema: { tags: ['users'], summary: 'Search the user directory', security: bearer, querystring: SearchQuery, response: { 200: Type.Object({ users: Type.Array(User) }) } } },
    async (req) => ({ users: await services.users.searchUsers(req.query.query ?? '', req.query.limit ?? 50) }),
  );

  app.get<{ Params: { id: string } }>(
    '/users/:id',
    { preHandler: auth, schema: { tags: ['users'], summary: 'One user, with presence', security: bearer, params: IdParams } },
    async (req) => {
      const user = await services.users.getUser(req.params.id);
      const [presence] = await services.presence.many([user.id]);
      return { ...user, presence };
    },
  );
}
