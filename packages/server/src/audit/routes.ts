import { AdminUpdateUserBody, AdminUserList, AuditEntryList, AuditQuery, User } from '@parley/protocol';
import { actorOf } from '../http/auth.js';
import { AppError } from '../core/errors.js';
import { parseAuditQuery } from './filters.js';
import { bearer, IdParams, responses, SearchQuery, type RoutesPlugin } from '../http/schemas.js';

export const adminRoutes: RoutesPlugin = async (app, { services }) => {
  const tags = ['admin'];

  app.get(
    '/admin/audit',
    {
      schema: {
        tags,
        summary: 'The audit log, newest first, filtered by actor, action and time (workspace owners and admins)',
        security: bearer,
        querystring: AuditQuery,
        response: responses({ 200: AuditEntryList }),
      },
    },
    async (req) => {
      const actor = actorOf(req);
      // Refused before the filters are read: a member learns nothing, not even which usernames exist.
      if (actor.role !== 'owner' && actor.role !== 'admin') throw new AppError('forbidden', 'Only workspace owners and admins can read the audit log.');
      return { entries: await services.audit.list(parseAuditQuery(req.query)) };
    },
  );

  app.get(
    '/admin/users',
    {
      schema: {
        tags,
        summary: 'List users, which of them are deactivated, and their email addresses (workspace owners and admins)',
        security: bearer,
        querystring: SearchQuery,
        response: responses({ 200: AdminUserList }),
      },
    },
    async (req) => {
      const users = await services.admin.listUsers(actorOf(req), req.query.query ?? '', req.query.limit ?? 100);
      const ids = users.map((u) => u.id);
      return { users, deactivated: await services.console.deactivatedAmong(ids), emails: await services.console.emailsAmong(ids) };
    },
  );

  app.patch(
    '/admin/users/:id',
    { schema: { tags, summary: "Change a user's workspace role or deactivate them", security: bearer, params: IdParams, body: AdminUpdateUserBody, response: responses({ 200: User }) } },
    async (req) => services.admin.updateUser(actorOf(req), req.params.id, req.body),
  );
};
