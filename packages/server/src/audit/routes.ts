import { Type } from '@sinclair/typebox';
import { AdminUpdateUserBody, AuditEntryList, User, UserList } from '@parley/protocol';
import { actorOf } from '../http/auth.js';
import { AppError } from '../core/errors.js';
import { bearer, IdParams, responses, SearchQuery, type RoutesPlugin } from '../http/schemas.js';

export const adminRoutes: RoutesPlugin = async (app, { services }) => {
  const tags = ['admin'];

  app.get(
    '/admin/audit',
    {
      schema: {
        tags,
        summary: 'The audit log, newest first (workspace owners and admins)',
        security: bearer,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), before: Type.Optional(Type.String({ maxLength: 26 })) }),
        response: responses({ 200: AuditEntryList }),
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (actor.role !== 'owner' && actor.role !== 'admin') throw new AppError('forbidden', 'Only workspace owners and admins can read the audit log.');
      return { entries: await services.audit.list(req.query.limit ?? 100, req.query.before) };
    },
  );

  app.get(
    '/admin/users',
    { schema: { tags, summary: 'List users (workspace owners and admins)', security: bearer, querystring: SearchQuery, response: responses({ 200: UserList }) } },
    async (req) => ({
      users: await services.admin.listUsers(actorOf(req), req.query.query ?? '', req.query.limit ?? 100),
    }),
  );

  app.patch(
    '/admin/users/:id',
    { schema: { tags, summary: "Change a user's workspace role or deactivate them", security: bearer, params: IdParams, body: AdminUpdateUserBody, response: responses({ 200: User }) } },
    async (req) => services.admin.updateUser(actorOf(req), req.params.id, req.body),
  );
};
