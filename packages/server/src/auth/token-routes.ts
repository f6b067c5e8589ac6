import { BotList, ApiTokenList, CreateBotBody, CreatedApiToken, CreateTokenBody, User } from '@parley/protocol';
import { actorOf } from '../http/auth.js';
import { bearer, IdParams, NoContent, responses, type RoutesPlugin } from '../http/schemas.js';

export const tokenRoutes: RoutesPlugin = async (app, { services }) => {
  const tags = ['tokens'];

  app.post('/bots', { schema: { tags, summary: 'Create a bot account (acts through API tokens)', security: bearer, body: CreateBotBody, response: responses({ 201: User }) } }, async (req, reply) =>
    reply.status(201).send(await services.apiTokens.createBot(actorOf(req), req.body)),
  );

  app.get('/bots', { schema: { tags, summary: 'My bots (all bots for admins)', security: bearer, response: responses({ 200: BotList }) } }, async (req) => ({
    bots: await services.apiTokens.listBots(actorOf(req)),
  }));

  app.delete(
    '/bots/:id',
    { schema: { tags, summary: 'Remove a bot of mine (admins: any): deactivated, its tokens revoked', security: bearer, params: IdParams, response: responses({ 204: NoContent }) } },
    async (req, reply) => {
      await services.apiTokens.removeBot(actorOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/tokens',
    { schema: { tags, summary: 'Create an API token for me or one of my bots; the token is shown only once', security: bearer, body: CreateTokenBody, response: responses({ 201: CreatedApiToken }) } },
    async (req, reply) => reply.status(201).send(await services.apiTokens.create(actorOf(req), req.body.name, req.body.user_id, req.body.scopes)),
  );

  app.get('/tokens', { schema: { tags, summary: 'My live API tokens and those of my bots', security: bearer, response: responses({ 200: ApiTokenList }) } }, async (req) => ({
    tokens: await services.apiTokens.list(actorOf(req)),
  }));

  app.delete('/tokens/:id', { schema: { tags, summary: 'Revoke an API token', security: bearer, params: IdParams, response: responses({ 204: NoContent }) } }, async (req, reply) => {
    await services.apiTokens.revoke(actorOf(req), req.params.id);
    return reply.status(204).send(null);
  });
};
