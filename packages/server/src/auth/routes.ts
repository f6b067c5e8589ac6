import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CreateInviteBody, Id, LoginBody, RefreshBody, RegisterBody, Session, User, type LoginBody as LoginT, type RefreshBody as RefreshT, type RegisterBody as RegisterT, type CreateInviteBody as InviteT } from '@parley/protocol';
import type { Services } from '../services.js';
import { actorOf, authRateLimit, bearerAuth, clientInfo } from '../http/auth.js';
import { bearer, IdParams } from '../http/schemas.js';

const AuthResponse = Type.Object({
  user: User,
  access_token: Type.String(),
  refresh_token: Type.String(),
  session_id: Id,
  expires_in: Type.Integer({ description: 'access token lifetime in seconds' }),
});

export async function authRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const limited = authRateLimit(services);
  const auth = bearerAuth(services);

  app.post<{ Body: RegisterT }>(
    '/auth/register',
    { preHandler: limited, schema: { tags: ['auth'], summary: 'Create an account (the first becomes the workspace owner)', body: RegisterBody, response: { 201: AuthResponse } } },
    async (req, reply) => reply.status(201).send(await services.auth.register(req.body, clientInfo(req))),
  );

  app.post<{ Body: LoginT }>(
    '/auth/login',
    { preHandler: limited, schema: { tags: ['auth'], summary: 'Log in and start a device session', body: LoginBody, response: { 200: AuthResponse } } },
    async (req) => services.auth.login(req.body, clientInfo(req)),
  );

  app.post<{ Body: RefreshT }>(
    '/auth/refresh',
    { preHandler: limited, schema: { tags: ['auth'], summary: 'Rotate the refresh token and get a new access token', body: RefreshBody, response: { 200: AuthResponse } } },
    async (req) => services.auth.refresh(req.body.refresh_token, clientInfo(req)),
  );

  app.post('/auth/logout', { preHandler: auth, schema: { tags: ['auth'], summary: 'Revoke the current session', security: bearer } }, async (req, reply) => {
    await services.auth.logout(actorOf(req));
    return reply.status(204).send();
  });

  app.get('/sessions', { preHandler: auth, schema: { tags: ['auth'], summary: 'List my live device sessions', security: bearer, response: { 200: Type.Object({ sessions: Type.Array(Session) }) } } }, async (req) => ({
    sessions: await services.auth.listSessions(actorOf(req)),
  }));

  app.delete<{ Params: { id: string } }>(
    '/sessions/:id',
    { preHandler: auth, schema: { tags: ['auth'], summary: 'Revoke one of my sessions', security: bearer, params: IdParams } },
    async (req, reply) => {
      await services.auth.revokeSession(actorOf(req), req.params.id);
      return reply.status(204).send();
    },
  );

  app.post<{ Body: InviteT }>(
    '/invites',
    { preHandler: auth, schema: { tags: ['auth'], summary: 'Create a single-use invite code (admins)', security: bearer, body: CreateInviteBody } },
    async (req, reply) => reply.status(201).send(await services.auth.createInvite(actorOf(req), req.body?.expires_in_hours)),
  );
}
