import type {} from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import { Id } from '@parley/protocol';

export const IdParams = Type.Object({ id: Id });
export const ConvUserParams = Type.Object({ id: Id, user_id: Id });
export const ReactionParams = Type.Object({ id: Id, emoji: Type.String({ minLength: 1, maxLength: 64 }) });
export const SearchQuery = Type.Object({
  query: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
export const bearer = [{ bearerAuth: [] }];
