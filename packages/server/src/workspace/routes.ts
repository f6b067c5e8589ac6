import { WorkspaceSettings, WorkspaceSettingsPatch } from '@parley/protocol';
import { actorOf } from '../http/auth.js';
import { bearer, responses, type RoutesPlugin } from '../http/schemas.js';

/** Workspace settings owners and admins change at run time (workspace/settings.ts). */
export const workspaceRoutes: RoutesPlugin = async (app, { services }) => {
  const tags = ['admin'];
  app.get('/admin/settings', { schema: { tags, summary: 'Workspace settings (owners and admins)', security: bearer, response: responses({ 200: WorkspaceSettings }) } }, async (req) =>
    services.workspace.read(actorOf(req)),
  );
  app.patch(
    '/admin/settings',
    { schema: { tags, summary: 'Change workspace settings (owners and admins; audited)', security: bearer, body: WorkspaceSettingsPatch, response: responses({ 200: WorkspaceSettings }) } },
    async (req) => services.workspace.update(actorOf(req), req.body),
  );
};
