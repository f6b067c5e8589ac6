import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../core/context.js';
import { AppError } from '../core/errors.js';
import type { Services } from '../services.js';
import { requireScope, routeScope } from '../auth/scopes.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** Reads `Authorization: Bearer <access token>` and checks the session is live. */
/** What a session held until two-factor sign-in is on may still do: see itself, turn it on, sign out. */
const ENROLMENT_ROUTES = /^\/api\/v1\/(me|me\/2fa|me\/2fa\/setup|me\/2fa\/enable|auth\/logout)$/;

export function bearerAuth(services: Services) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization;
    if (!header) throw new AppError('unauthenticated', 'Send Authorization: Bearer <access token>.');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new AppError('unauthenticated', 'The Authorization header must be "Bearer <access token>".');
    const actor = await services.auth.authenticate(m[1]!);
    // An API token reaches only the routes its scopes cover (auth/scopes.ts).
    const scope = routeScope(req.method, req.routeOptions.url ?? '');
    if (scope) requireScope(actor, scope);
    if (actor.mustEnrol2fa && !ENROLMENT_ROUTES.test(req.routeOptions.url ?? '')) throw new AppError('mfa_enrolment_required');
    req.actor = { ...actor, ip: req.ip };
  };
}

export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AppError('unauthenticated');
  return req.actor;
}

export function clientInfo(req: FastifyRequest): { ip: string; userAgent: string } {
  return { ip: req.ip, userAgent: String(req.headers['user-agent'] ?? '') };
}

/** Per-IP limit on credential endpoints (register, login, refresh). */
export function authRateLimit(services: Services) {
  return async (req: FastifyRequest): Promise<void> => {
    const wait = await services.limits.auth.take(req.ip);
    if (wait > 0) throw new AppError('rate_limited', 'Too many sign-in attempts; wait and retry.', { retry_after_ms: wait });
  };
}

/** Per-user read budget (history, thread, sync, single gets), the one socket reads charge too. */
export function readRateLimit(services: Services) {
  return async (req: FastifyRequest): Promise<void> => {
    const wait = await services.limits.read.take(actorOf(req).userId);
    if (wait > 0) throw new AppError('rate_limited', `Too many reads: at most ${services.limits.read.ratePerSec} per second; retry later.`, { retry_after_ms: wait });
  };
}
