import { TOKEN_SCOPES, type RequestType, type TokenScope } from '@parley/protocol';
import type { Actor } from '../core/context.js';
import { AppError } from '../core/errors.js';

/**
 * API token scopes, checked where requests come in (each REST route, each socket request, and
 * the socket itself, which carries live events), so no service path can be reached around them.
 * A session (a person signed in) has every scope.
 */

export function hasScope(actor: Actor, scope: TokenScope): boolean {
  return actor.scopes === undefined || actor.scopes.includes(scope);
}

export function requireScope(actor: Actor, scope: TokenScope): void {
  if (!hasScope(actor, scope)) throw new AppError('forbidden', `This API token lacks the "${scope}" scope.`);
}

/** The scopes a new token may get from this actor: a token never mints one with more than it has. */
export function grantableScopes(actor: Actor, wanted: readonly TokenScope[] | undefined): TokenScope[] {
  const scopes = [...new Set(wanted ?? TOKEN_SCOPES)];
  const missing = scopes.filter((s) => !hasScope(actor, s));
  if (missing.length > 0) throw new AppError('forbidden', `This API token cannot grant scopes it lacks: ${missing.join(', ')}.`, { field: '/body/scopes' });
  return scopes;
}

/** What each socket request needs. Reads need `read`; anything that changes state needs `post`. */
export const SOCKET_SCOPES: Record<Exclude<RequestType, 'auth'>, TokenScope> = {
  'message.send': 'post',
  'message.edit': 'post',
  'message.recall': 'post',
  'message.get': 'read',
  // Revealing is reading (it starts the reader's timer, as reading a message moves their cursor).
  'message.reveal': 'read',
  'reaction.add': 'post',
  'reaction.remove': 'post',
  'tag.add': 'post',
  'tag.remove': 'post',
  'pin.add': 'post',
  'pin.remove': 'post',
  'read.mark': 'post',
  'delivery.ack': 'read',
  'typing.start': 'post',
  'typing.stop': 'post',
  'presence.set': 'post',
  'presence.subscribe': 'read',
  // Only what this socket is sent: receiving less needs no more than reading.
  'connection.set': 'read',
  history: 'read',
  sync: 'read',
  'sync.events': 'read',
  'conversation.list': 'read',
  'conversation.get': 'read',
  search: 'read',
  ping: 'read',
};

/** Management of integrations: incoming and outgoing webhooks, slash commands (running one is posting). */
const MANAGE = [/^\/api\/v1\/conversations\/:id\/(webhooks|outgoing-webhooks)$/, /^\/api\/v1\/(webhooks|outgoing-webhooks)\//, /^\/api\/v1\/commands(\/:id)?$/];
/** POSTs that only read. */
const READING_POSTS = new Set(['/api/v1/sync']);
/** Always allowed: ending this credential's own use. */
const ANY = new Set(['/api/v1/auth/logout']);

/** What a REST route needs: `route` is the route's pattern (`/api/v1/messages/:id`). */
export function routeScope(method: string, route: string): TokenScope | null {
  if (ANY.has(route)) return null;
  const reading = method === 'GET' || method === 'HEAD' || (method === 'POST' && READING_POSTS.has(route));
  if (MANAGE.some((r) => r.test(route)) && !(method === 'GET' && route === '/api/v1/commands')) return 'manage_webhooks';
  return reading ? 'read' : 'post';
}
