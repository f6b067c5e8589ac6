import { Type } from '@sinclair/typebox';
import { AVATAR_TYPES, AvatarCropQuery, User } from '@parley/protocol';
import { actorOf, readRateLimit } from '../http/auth.js';
import { bearer, IdParams, NoContent, responses, type RoutesPlugin } from '../http/schemas.js';
import { avatarBlob, mediaType, removeAvatar, setAvatar } from './avatar.js';

const Binary = Type.String({ format: 'binary', description: 'The avatar, 256×256 WebP' });

/**
 * Uploaded avatars: `PUT /me/avatar` takes the picture as the raw body (its Content-Type one of
 * AVATAR_TYPES) with an optional square crop in the query; `GET /users/:id/avatar` serves it to
 * any signed-in user. Registered inside the users routes, so the raw-body parser below applies
 * to these routes only.
 */
export const avatarRoutes: RoutesPlugin = async (app, { services }) => {
  const tags = ['users'];
  // Any body is read as bytes here (up to the route's limit); the handler checks the type, so a
  // wrong one is a 415 that says what to send. JSON keeps the parent's parser and is refused too.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body: Buffer, done) => done(null, body));

  app.put<{ Querystring: AvatarCropQuery }>(
    '/me/avatar',
    {
      bodyLimit: services.deps.config.limits.maxAvatarBytes,
      // The body is bytes, not JSON: described in the API document only (a schema for it would
      // have the JSON validator check a Buffer against it).
      config: {
        swaggerTransform: ({ schema, url }) => ({
          schema: { ...schema, consumes: [...AVATAR_TYPES], body: Type.String({ format: 'binary', description: 'The picture: PNG, JPEG, WebP or GIF' }) },
          url,
        }),
      },
      schema: {
        tags,
        summary: 'Upload my avatar',
        description:
          'The body is the picture itself (PNG, JPEG, WebP or GIF) with its Content-Type. The query may give a square crop in source pixels (x, y, size); without one the largest centred square is kept. The server decodes it, crops, resizes it to 256×256 WebP without metadata, and sets avatar_url to its same-origin path.',
        security: bearer,
        querystring: AvatarCropQuery,
        response: responses({ 200: User }),
      },
    },
    async (req) => {
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const declared = Buffer.isBuffer(req.body) ? mediaType(req.headers['content-type']) : 'application/json';
      return setAvatar(services, actorOf(req), bytes, declared, req.query);
    },
  );

  app.delete('/me/avatar', { schema: { tags, summary: 'Remove my avatar', security: bearer, response: responses({ 200: User }) } }, async (req) => removeAvatar(services, actorOf(req)));

  app.get<{ Params: { id: string } }>(
    '/users/:id/avatar',
    {
      preHandler: readRateLimit(services),
      schema: {
        tags,
        summary: "A user's uploaded avatar (256×256 WebP); any signed-in user may read it",
        security: bearer,
        params: IdParams,
        response: {
          ...responses({ 304: NoContent }),
          200: { description: 'The avatar', content: { 'image/webp': { schema: Binary } } },
        },
      },
    },
    async (req, reply) => {
      const sha256 = await avatarBlob(services, req.params.id);
      const etag = `"${sha256}"`;
      // The URL carries the content hash (`?v=`), so a cached copy never goes stale: a new
      // picture has a new URL. Private: it is for signed-in readers only, never a shared cache.
      reply.headers({
        'x-content-type-options': 'nosniff',
        'content-security-policy': "sandbox; default-src 'none'",
        'cache-control': 'private, max-age=31536000, immutable',
        etag,
        'content-type': 'image/webp',
      });
      const inm = req.headers['if-none-match'];
      if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return reply.status(304).send();
      const size = await services.files.blobs.size(sha256);
      if (size === null) throw new Error(`avatar blob ${sha256} is missing`);
      reply.header('content-length', String(size));
      return reply.send(services.files.blobs.read(sha256));
    },
  );
};
