import type {} from '@fastify/swagger';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import { ErrorResponse, Id } from '@parley/protocol';
import type { Services } from '../services.js';

export const IdParams = Type.Object({ id: Id });
export const ConvUserParams = Type.Object({ id: Id, user_id: Id });
export const ReactionParams = Type.Object({ id: Id, emoji: Type.String({ minLength: 1, maxLength: 64 }) });
export const TagParams = Type.Object({ id: Id, tag: Type.String({ minLength: 1, maxLength: 51 }) });
export const SearchQuery = Type.Object({
  query: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
export const bearer = [{ bearerAuth: [] }];

/** 204: no body; the OpenAPI document shows a response without content. */
export const NoContent = Type.Null({ description: 'No content' });

/**
 * A route's responses: its success answers plus the error shape for every 4xx and 5xx, so the
 * errors the error handler sends are serialised (and documented) as `{ error: { code, message } }`.
 */
export function responses<R extends Record<number, TSchema>>(ok: R): R & { '4xx': typeof ErrorResponse; '5xx': typeof ErrorResponse } {
  const out: Record<string, unknown> = { '4xx': withoutIds(ErrorResponse), '5xx': withoutIds(ErrorResponse) };
  for (const [status, schema] of Object.entries(ok)) out[status] = withoutIds(schema);
  return out as R & { '4xx': typeof ErrorResponse; '5xx': typeof ErrorResponse };
}

/**
 * A copy of a schema without its `$id`s. Protocol entities carry one (`Message`, `User`), and a
 * response that embeds the same entity twice (an events page: a message in several event
 * kinds) makes the serialiser's Ajv refuse to build, "reference resolves to more than one
 * schema". Responses use no `$ref`, so the ids serve nothing there.
 */
function withoutIds(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutIds);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) if (key !== '$id') copy[key] = withoutIds(value);
  return copy;
}

/** A domain's routes: an encapsulated plugin typed by the TypeBox provider, given the services. */
export type RoutesPlugin = FastifyPluginAsyncTypebox<{ services: Services }>;
