import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Services } from '../services.js';
import { actorOf, bearerAuth } from '../http/auth.js';
import { AppError } from '../core/errors.js';
import { AdminUpdateUserBody, type AdminUpdateUserBody as AdminUpdateT } from '@parley/protocol';
import { bearer, IdParams, SearchQuery } from '../http/schemas.js';

export async function adminRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const auth = bearerAuth(services);
  app.get<{ Querystring: { limit?: number; before?: string } }>(
    '/admin/audit',
    {
      preHandler: auth,
      schema: {
        tags: ['admin'],
        summary: 'The audit log, newest first (workspace owners and admins)',
        security: bearer,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), before: Type.Optional(Type.String({ maxLength: 26 })) }),
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (actor.role !== 'owner' && actor.role !== 'admin') throw new AppError('forbidden', 'Only workspace owners and admins can read the audit log.');
      return { entries: await services.audit.list(req.query.limit ?? 100, req.query.before) };
    },
  );

  app.get<{ Querystring: { query?: string; limit?: number } }>(
    '/admin/users',
    { preHandler: auth, schema: { tags: ['admin'], summary: 'List users (workspace owners and admins)', security: bearer, querystring: SearchQuery } },
    async (req) => ({ users: await services.admin.listUsers(actorOf(req), req.query.query ?? '', req.query.limit ?? 100) }),
  );

  app.patch<{ Params: { id: string }; Body: AdminUpdateT }>(
    '/admin/users/:id',
    { preHandler: auth, schema: { tags: ['admin'], summary: "Change a user's workspace role or deactivate them", security: bearer, params: IdParams, body: AdminUpdateUserBody } },
    async (req) => services.admin.updateUser(actorOf(req), req.params.id, req.body),
  );
}
