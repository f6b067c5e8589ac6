import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Services } from '../services.js';
import { actorOf, bearerAuth } from '../http/auth.js';
import { AppError } from '../core/errors.js';
import { bearer } from '../http/schemas.js';

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
}
