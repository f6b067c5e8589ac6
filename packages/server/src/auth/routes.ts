import {
  AuthResult,
  CreateInviteBody,
  EnableTwoFactorBody,
  Invite,
  InviteList,
  InviteParams,
  LoginBody,
  ProveTwoFactorBody,
  RecoveryCodes,
  RefreshBody,
  RegisterBody,
  SecondFactorBody,
  LockoutList,
  LockoutParams,
  SessionList,
  TwoFactorSetup,
  TwoFactorStatus,
} from '@parley/protocol';
import { actorOf, authRateLimit, clientInfo } from '../http/auth.js';
import { bearer, IdParams, NoContent, responses, type RoutesPlugin } from '../http/schemas.js';

/** Register, log in, refresh: no token yet, so no authentication; a per-IP budget instead. */
export const publicAuthRoutes: RoutesPlugin = async (app, { services }) => {
  const limited = authRateLimit(services);
  const tags = ['auth'];

  app.post(
    '/auth/register',
    { preHandler: limited, schema: { tags, summary: 'Create an account (the first becomes the workspace owner)', body: RegisterBody, response: responses({ 201: AuthResult }) } },
    async (req, reply) => reply.status(201).send(await services.auth.register(req.body, clientInfo(req))),
  );

  app.post('/auth/login', { preHandler: limited, schema: { tags, summary: 'Log in and start a device session', body: LoginBody, response: responses({ 200: AuthResult }) } }, async (req) =>
    services.auth.login(req.body, clientInfo(req)),
  );

  app.post(
    '/auth/login/2fa',
    {
      preHandler: limited,
      schema: { tags, summary: 'The second step of a sign-in: the challenge mfa_required gave, and a code or a recovery code', body: SecondFactorBody, response: responses({ 200: AuthResult }) },
    },
    async (req) => services.auth.secondFactor(req.body, clientInfo(req)),
  );

  app.post(
    '/auth/refresh',
    { preHandler: limited, schema: { tags, summary: 'Rotate the refresh token and get a new access token', body: RefreshBody, response: responses({ 200: AuthResult }) } },
    async (req) => services.auth.refresh(req.body.refresh_token, clientInfo(req)),
  );
};

/** The session routes of a logged-in account (registered in the authenticated scope). */
export const authRoutes: RoutesPlugin = async (app, { services }) => {
  const tags = ['auth'];

  app.post('/auth/logout', { schema: { tags, summary: 'Revoke the current session', security: bearer, response: responses({ 204: NoContent }) } }, async (req, reply) => {
    await services.auth.logout(actorOf(req));
    return reply.status(204).send(null);
  });

  app.get('/sessions', { schema: { tags, summary: 'List my live device sessions', security: bearer, response: responses({ 200: SessionList }) } }, async (req) => ({
    sessions: await services.auth.listSessions(actorOf(req)),
  }));

  app.delete('/sessions/:id', { schema: { tags, summary: 'Revoke one of my sessions', security: bearer, params: IdParams, response: responses({ 204: NoContent }) } }, async (req, reply) => {
    await services.auth.revokeSession(actorOf(req), req.params.id);
    return reply.status(204).send(null);
  });

  app.get('/me/2fa', { schema: { tags, summary: 'Whether two-factor sign-in is on, and recovery codes left', security: bearer, response: responses({ 200: TwoFactorStatus }) } }, async (req) =>
    services.twoFactor.status(actorOf(req)),
  );

  app.post(
    '/me/2fa/setup',
    { schema: { tags, summary: 'A new authenticator secret (QR code URI), waiting for its first code', security: bearer, response: responses({ 200: TwoFactorSetup }) } },
    async (req) => services.twoFactor.setup(actorOf(req)),
  );

  app.post(
    '/me/2fa/enable',
    {
      schema: {
        tags,
        summary: 'Turn two-factor sign-in on with the first code; answers recovery codes, shown once',
        security: bearer,
        body: EnableTwoFactorBody,
        response: responses({ 200: RecoveryCodes }),
      },
    },
    async (req) => services.twoFactor.enable(actorOf(req), req.body.code),
  );

  app.post(
    '/me/2fa/disable',
    { schema: { tags, summary: 'Turn two-factor sign-in off (needs a code or a recovery code)', security: bearer, body: ProveTwoFactorBody, response: responses({ 204: NoContent }) } },
    async (req, reply) => {
      await services.twoFactor.disable(actorOf(req), req.body);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/me/2fa/recovery-codes',
    { schema: { tags, summary: 'New recovery codes (the old ones stop working; needs a code)', security: bearer, body: ProveTwoFactorBody, response: responses({ 200: RecoveryCodes }) } },
    async (req) => services.twoFactor.regenerate(actorOf(req), req.body),
  );

  app.delete(
    '/admin/users/:id/2fa',
    { schema: { tags: ['admin'], summary: 'Turn a user’s two-factor sign-in off (a lost phone); audited', security: bearer, params: IdParams, response: responses({ 204: NoContent }) } },
    async (req, reply) => {
      await services.twoFactor.reset(actorOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/admin/lockouts',
    {
      schema: {
        tags: ['admin'],
        summary: 'Sign-in lockouts: accounts and addresses locked out now, or with recent failed sign-ins (owners and admins)',
        security: bearer,
        response: responses({ 200: LockoutList }),
      },
    },
    async (req) => ({ lockouts: await services.lockouts.list(actorOf(req)) }),
  );

  app.delete(
    '/admin/lockouts/:key',
    {
      schema: {
        tags: ['admin'],
        summary: 'Lift a sign-in lockout and forget its failures (`account:<username>` or `ip:<address>`, URL-encoded); audited',
        security: bearer,
        params: LockoutParams,
        response: responses({ 204: NoContent }),
      },
    },
    async (req, reply) => {
      await services.lockouts.clear(actorOf(req), req.params.key);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/invites',
    {
      schema: {
        tags,
        summary: 'Create an invite code (admins): single-use by default, or a link for up to max_uses people; the code is shown this once; audited',
        security: bearer,
        body: CreateInviteBody,
        response: responses({ 201: Invite }),
      },
    },
    async (req, reply) => reply.status(201).send(await services.auth.invites.create(actorOf(req), req.body ?? {})),
  );

  app.get(
    '/invites',
    { schema: { tags, summary: 'Invites still open, and the ones used, with who made and who used them (admins)', security: bearer, response: responses({ 200: InviteList }) } },
    async (req) => ({ invites: await services.auth.invites.list(actorOf(req)) }),
  );

  app.delete(
    '/invites/:code',
    {
      schema: {
        tags,
        summary: 'Revoke an invite by its id or its code (admins): nobody else signs up with it; audited',
        security: bearer,
        params: InviteParams,
        response: responses({ 204: NoContent }),
      },
    },
    async (req, reply) => {
      await services.auth.invites.revoke(actorOf(req), req.params.code);
      return reply.status(204).send(null);
    },
  );
};
