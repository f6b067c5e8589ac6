import { CreateReminderBody, Reminder, ReminderList } from '@parley/protocol';
import { actorOf } from '../http/auth.js';
import { bearer, IdParams, NoContent, responses, type RoutesPlugin } from '../http/schemas.js';

/** `/remind`: set, list and cancel my reminders. */
export const reminderRoutes: RoutesPlugin = async (app, { services }) => {
  const tags = ['reminders'];
  app.post(
    '/reminders',
    {
      schema: {
        tags,
        summary: 'Set a reminder from what follows /remind (`me in 10m check the deploy`); the Parley bot posts it in a DM when due',
        security: bearer,
        body: CreateReminderBody,
        response: responses({ 201: Reminder }),
      },
    },
    async (req, reply) => reply.status(201).send(await services.reminders.create(actorOf(req), req.body)),
  );
  app.get('/reminders', { schema: { tags, summary: 'My pending reminders, soonest first', security: bearer, response: responses({ 200: ReminderList }) } }, async (req) => ({
    reminders: await services.reminders.list(actorOf(req)),
  }));
  app.delete('/reminders/:id', { schema: { tags, summary: 'Cancel a pending reminder', security: bearer, params: IdParams, response: responses({ 204: NoContent }) } }, async (req, reply) => {
    await services.reminders.cancel(actorOf(req), req.params.id);
    return reply.status(204).send(null);
  });
};
