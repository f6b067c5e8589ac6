import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { AppError } from '../core/errors.js';
import { IdParams, NoContent, bearer, responses } from '../http/schemas.js';
import { actorOf, readRateLimit } from '../http/auth.js';
import type { Services } from '../services.js';
import type { UploadsTable } from '../store/schema.js';

/**
 * Types a browser shows in place without running anything. Everything else (HTML, SVG, XML,
 * JavaScript, PDF, unknown) is a download, so a file can never act as a page of this origin.
 */
const INLINE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'text/plain; charset=utf-8']);
const inline = (mime: string) => INLINE.has(mime) || /^(audio|video)\//.test(mime);

/** RFC 6266: an ASCII fallback and the exact UTF-8 name. */
function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'file';
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** One `bytes=` range (first-last, first-, or -suffix); null to serve the whole file, 'unsatisfiable' for 416. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges or another unit: RFC 9110 lets a server ignore the header and send it all.
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

const Binary = Type.String({ format: 'binary', description: 'The file bytes' });
const fileResponses = {
  ...responses({ 304: NoContent, 416: NoContent }),
  200: { description: 'The whole file', content: { '*/*': { schema: Binary } } },
  206: { description: 'The requested range', content: { '*/*': { schema: Binary } } },
};

/**
 * Downloads: GET /files/:id and /files/:id/thumbnail, for whoever may read the message carrying
 * the file (404 for everyone else), with ETags (the content hash) and single byte ranges. Every
 * answer forbids sniffing and sandboxes the document, whatever its type.
 */
export async function downloadRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const read = readRateLimit(services);
  const load = (req: FastifyRequest<{ Params: { id: string } }>) => {
    const actor = actorOf(req);
    return services.files.readable(actor.userId, req.params.id, (messageId) => services.messages.visible(actor, messageId));
  };

  const serve = async (req: FastifyRequest, reply: FastifyReply, sha256: string, mime: string, name: string) => {
    const size = await services.files.blobs.size(sha256);
    if (size === null) throw new Error(`blob ${sha256} is missing`);
    const etag = `"${sha256}"`;
    reply.headers({
      'x-content-type-options': 'nosniff',
      'content-security-policy': "sandbox; default-src 'none'",
      'cache-control': 'private, no-cache',
      etag,
      'accept-ranges': 'bytes',
      'content-type': mime,
      'content-disposition': disposition(inline(mime) ? 'inline' : 'attachment', name),
    });
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return reply.status(304).send();
    // If-Range with another validator: the file changed under the client; send it whole.
    const ifRange = req.headers['if-range'];
    const range = ifRange && ifRange !== etag ? null : parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') return reply.status(416).header('content-range', `bytes */${size}`).send();
    if (range) {
      reply.status(206).headers({ 'content-range': `bytes ${range.start}-${range.end}/${size}`, 'content-length': String(range.end - range.start + 1) });
      return reply.send(services.files.blobs.read(sha256, range));
    }
    reply.header('content-length', String(size));
    return reply.send(services.files.blobs.read(sha256));
  };

  app.get<{ Params: { id: string } }>(
    '/files/:id',
    {
      preHandler: read,
      schema: {
        tags: ['files'],
        summary: 'Download a file (readable by whoever may read its message; Range and If-None-Match supported)',
        security: bearer,
        params: IdParams,
        response: fileResponses,
      },
    },
    async (req, reply) => {
      const up: UploadsTable = await load(req);
      return serve(req, reply, up.sha256!, up.mime ?? 'application/octet-stream', up.name);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/files/:id/thumbnail',
    { preHandler: read, schema: { tags: ['files'], summary: "An image file's thumbnail (WebP, no metadata); 404 when it has none", security: bearer, params: IdParams, response: fileResponses } },
    async (req, reply) => {
      const up = await load(req);
      if (up.thumb_sha256 === null) throw new AppError('not_found', 'This file has no thumbnail.');
      return serve(req, reply, up.thumb_sha256, 'image/webp', `${up.name}.webp`);
    },
  );
}
