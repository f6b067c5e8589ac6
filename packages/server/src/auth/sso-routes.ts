import cookie from '@fastify/cookie';
import { Type } from '@sinclair/typebox';
import { AuthOptions, AuthResult, SsoExchangeBody } from '@parley/protocol';
import { AppError } from '../core/errors.js';
import { authRateLimit, clientInfo } from '../http/auth.js';
import { responses, type RoutesPlugin } from '../http/schemas.js';
import { SSO_COOKIE, SSO_PATH, safeReturnTo } from './sso.js';

const Redirect = Type.Null({ description: 'A redirect (Location)' });
const StartQuery = Type.Object({ return_to: Type.Optional(Type.String({ maxLength: 512, description: 'a path of this site (default /), or http://127.0.0.1:PORT/… for the CLI' })) });
const CallbackQuery = Type.Record(Type.String(), Type.String());

/** How people sign in, and single sign-on's three steps (auth/sso.ts). Public: nobody is signed in yet. */
export const ssoRoutes: RoutesPlugin = async (app, { services }) => {
  const limited = authRateLimit(services);
  const tags = ['auth'];
  await app.register(cookie);
  const secure = services.sso.enabled && services.sso.secureCookies;

  app.get('/auth/options', { schema: { tags, summary: 'How this workspace signs people in (password, single sign-on, sign-up)', response: responses({ 200: AuthOptions }) } }, async () =>
    services.sso.options(),
  );

  app.get(
    '/auth/sso/start',
    // A browser navigation, not an API call: left out of the OpenAPI document (docs/security.md).
    {
      preHandler: limited,
      schema: { hide: true, tags, summary: 'Begin a single sign-on: redirects the browser to the identity provider', querystring: StartQuery, response: responses({ 302: Redirect }) },
    },
    async (req, reply) => {
      const returnTo = safeReturnTo(req.query.return_to);
      if (returnTo === null) throw new AppError('invalid_request', 'return_to must be a path of this site or a loopback http:// address.', { field: '/return_to' });
      let started: { url: string; browserToken: string };
      try {
        started = await services.sso.start(returnTo);
      } catch (err) {
        // A browser navigated here: it goes back to the app, which says what happened.
        if (err instanceof AppError && err.code === 'unavailable') return reply.redirect(`${returnTo}#sso_error=unavailable`, 302);
        throw err;
      }
      // Lax: the provider sends the browser back with a top-level GET from its own site.
      reply.setCookie(SSO_COOKIE, started.browserToken, { path: SSO_PATH, httpOnly: true, sameSite: 'lax', secure, maxAge: 600 });
      return reply.redirect(started.url, 302);
    },
  );

  app.get(
    '/auth/sso/callback',
    {
      preHandler: limited,
      schema: {
        hide: true,
        tags,
        summary: "The identity provider's answer: redirects to the web app, signed in (#sso_code) or not (#sso_error)",
        querystring: CallbackQuery,
        response: responses({ 302: Redirect }),
      },
    },
    async (req, reply) => {
      const target = await services.sso.callback(new URLSearchParams(req.query), req.cookies[SSO_COOKIE], clientInfo(req));
      reply.clearCookie(SSO_COOKIE, { path: SSO_PATH, httpOnly: true, sameSite: 'lax', secure });
      // The code in the fragment is for the page's script only: no referrer may carry the URL on.
      return reply.header('referrer-policy', 'no-referrer').redirect(target, 302);
    },
  );

  app.post(
    '/auth/sso/exchange',
    { preHandler: limited, schema: { tags, summary: "Trade the callback's single-use code for a device session", body: SsoExchangeBody, response: responses({ 200: AuthResult }) } },
    async (req) => services.sso.exchange(req.body, clientInfo(req)),
  );
};
