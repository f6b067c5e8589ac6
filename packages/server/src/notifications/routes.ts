import { NotificationSettings, NotificationSettingsBody } from '@parley/protocol';
import { actorOf } from '../http/auth.js';
import { bearer, responses, type RoutesPlugin } from '../http/schemas.js';

/** My notification settings: Do Not Disturb and sounds (levels per conversation: PUT /conversations/:id/notify). */
export const notificationsRoutes: RoutesPlugin = async (app, { services }) => {
  const tags = ['notifications'];
  const n = services.notifications;
  app.get(
    '/me/notifications',
    { schema: { tags, summary: 'My Do Not Disturb (until when, null when off) and whether clients play sounds', security: bearer, response: responses({ 200: NotificationSettings }) } },
    async (req) => n.settings(actorOf(req)),
  );
  app.patch(
    '/me/notifications',
    {
      schema: {
        tags,
        summary: 'Set Do Not Disturb until a time (null: off) or sounds on or off; my other devices are told',
        security: bearer,
        body: NotificationSettingsBody,
        response: responses({ 200: NotificationSettings }),
      },
    },
    async (req) => n.update(actorOf(req), req.body),
  );
};
