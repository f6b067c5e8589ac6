import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ApiToken, CreateBotBody, CreateTokenBody, User, type CreateBotBody as CreateBotT, type CreateTokenBody as CreateTokenT } from '@parley/protocol';
import type { Services } from '../services.js';
import { actorOf, bearerAuth } from '../http/auth.js';
import { bearer, IdParams } from '../http/schemas.js';

export async function tokenRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const auth = bearerAuth(services);
  const tags = ['tokens'];

  app.post<{ Body: CreateBotT }>(
    '/bots',
    { preHandler: auth, schema: { tags, summary: 'Create a bot account (acts through API tokens)', security: bearer, body: CreateBotBody, response: { 201: User } } },
    async (req, reply) => reply.status(201).send(await services.apiTokens.createBot(actorOf(req), req.body)),
  );

  app.get('/bots', { preHandler: auth, schema: { tags, summary: 'My bots (all bots for admins)', security: bearer, response: { 200: Type.Object({ bots: Type.Array(User) }) } } }, async (req) => ({
    bots: await services.apiTokens.listBots(actorOf(req)),
  }));

  app.post<{ Body: CreateTokenT }>(
    '/tokens',
    {
      preHandler: auth,
      schema: { tags, summary: 'Create an API token for me or one of my bots; the token is shown only once', security: bearer, body: CreateTokenBody, response: { 201: Type.Intersect([ApiToken, Type.Object({ token: Type.String() })]) } },
    },
    async (req, reply) => reply.status(201).send(await services.apiTokens.create(actorOf(req), req.body.name, req.body.user_id)),
  );

  app.get('/tokens', { preHandler: auth, schema: { tags, summary: 'My live API tokens and those of my bots', security: bearer, response: { 200: Type.Object({ tokens: Type.Array(ApiToken) }) } } }, async (req) => ({
    tokens: await services.apiTokens.list(actorOf(req)),
  }));

  app.delete<{ Params: { id: string } }>('/tokens/:id', { preHandler: auth, schema: { tags, summary: 'Revoke an API token', security: bearer, params: IdParams } }, async (req, reply) => {
    await services.apiTokens.revoke(actorOf(req), req.params.id);
    return reply.status(204).send();
  });
}
