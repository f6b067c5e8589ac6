import { PushSettings, PushSettingsBody, PushSubscribeBody, PushSubscription } from '@parley/protocol';
import { actorOf } from '../http/auth.js';
import { bearer, IdParams, NoContent, responses, type RoutesPlugin } from '../http/schemas.js';

/** Web Push: the server's public key, my settings and my browsers' subscriptions. */
export const pushRoutes: RoutesPlugin = async (app, { services }) => {
  const tags = ['push'];
  const push = services.push;
  app.get(
    '/me/push',
    { schema: { tags, summary: "Web Push: the server's VAPID public key, whether my notifications show text, my subscribed browsers", security: bearer, response: responses({ 200: PushSettings }) } },
    async (req) => push.settings(actorOf(req)),
  );
  app.patch(
    '/me/push',
    { schema: { tags, summary: 'Show message text in my push notifications, or only who wrote where', security: bearer, body: PushSettingsBody, response: responses({ 200: PushSettings }) } },
    async (req) => push.setPreviews(actorOf(req), req.body.previews),
  );
  app.post(
    '/me/push/subscriptions',
    {
      schema: {
        tags,
        summary: "Subscribe this browser (its PushSubscription's JSON); a browser subscribing again replaces its subscription",
        security: bearer,
        body: PushSubscribeBody,
        response: responses({ 201: PushSubscription }),
      },
    },
    async (req, reply) => reply.status(201).send(await push.subscribe(actorOf(req), req.body)),
  );
  app.delete(
    '/me/push/subscriptions/:id',
    { schema: { tags, summary: 'Stop pushing to one of my browsers', security: bearer, params: IdParams, response: responses({ 204: NoContent }) } },
    async (req, reply) => {
      await push.unsubscribe(actorOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
};
