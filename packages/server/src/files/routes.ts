import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Server as TusServer, type Upload } from '@tus/server';
import type { Locker } from '@tus/utils';
import { AppError } from '../core/errors.js';
import { actorOf } from '../http/auth.js';
import type { Services } from '../services.js';

const TUS_PATH = '/api/v1/uploads';
const TUS_BODY = 'application/offset+octet-stream';
/** Parley's ids (newId); anything else in an upload URL is no upload. */
const UPLOAD_ID = /^[0-9A-Za-z_-]{1,64}$/;

/** The upload id Parley chose for a creation request, handed to tus's naming function. */
const chosenIds = new WeakMap<IncomingMessage, string>();
/** The origin the client reached us at, for the new upload's Location (see publicOrigin). */
const origins = new WeakMap<IncomingMessage, string>();

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * Where the client reached us, for an absolute Location it can follow. Fastify's `protocol` and
 * `host` read X-Forwarded-Proto/-Host (the nearest proxy's entry) only with PARLEY_TRUST_PROXY,
 * the same rule as for client IPs; otherwise they are the socket's scheme and the Host header.
 * tus's own `respectForwardedHeaders` would also trust `Forwarded` and take a proxy chain's
 * list as one host, so the rule stays Fastify's. A host that is not a host falls back to Host.
 */
function publicOrigin(req: FastifyRequest): string {
  const proto = req.protocol === 'https' ? 'https' : 'http';
  const host = HOST.test(req.host) ? req.host : (req.headers.host ?? '');
  return `${proto}://${host}`;
}

// Control characters have no place in a file name (a header or a log line would carry them).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** Tus metadata values are base64 and optional; the name falls back to the upload id. */
function metadataName(header: string | undefined): string {
  for (const pair of (header ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key === 'filename' || key === 'name') return value ? Buffer.from(value, 'base64').toString('utf8').replace(CONTROL, '') : '';
  }
  return '';
}

/**
 * tus answers 400 to any request whose X-Forwarded-Proto is not exactly `http` or `https`, so a
 * chain of proxies (`https, http`) would break every upload. tus never reads it otherwise (the
 * Location is ours, see publicOrigin), so it is dropped before tus sees the request; tus reads
 * the raw header list, hence both copies.
 */
function withoutForwardedProto(raw: IncomingMessage): void {
  if (raw.headers['x-forwarded-proto'] === undefined) return;
  delete raw.headers['x-forwarded-proto'];
  for (let i = raw.rawHeaders.length - 2; i >= 0; i -= 2) {
    if (raw.rawHeaders[i]!.toLowerCase() === 'x-forwarded-proto') raw.rawHeaders.splice(i, 2);
  }
}

/**
 * Resumable uploads (tus 1.0) at /api/v1/uploads. Fastify authenticates (the scope's bearer
 * hook) and checks limits and ownership; each request is then handed, raw, to @tus/server,
 * which needs the unread body stream. Fastify never parses a tus body: the content type parser
 * below leaves it alone. These routes answer in tus's protocol, not JSON, so they are kept out
 * of the OpenAPI document and described in docs/protocol.md.
 */
export async function filesRoutes(app: FastifyInstance, { services, locker }: { services: Services; locker?: Locker }): Promise<void> {
  const files = services.files;
  const { incoming } = files;
  const tus = new TusServer({
    path: TUS_PATH,
    datastore: incoming.datastore,
    // Undefined: tus's own, in this process (one node on SQLite).
    ...(locker ? { locker } : {}),
    // The live limit (workspace/settings.ts) for what tus announces; an upload already created
    // passed it at creation (`files.create`, below), so lowering it never breaks one under way.
    maxSize: (_req, id) => (id === null ? services.files.maxUploadBytes : Number.MAX_SAFE_INTEGER),
    namingFunction: (req) => {
      const raw = req.runtime?.node?.req;
      const id = raw ? chosenIds.get(raw as IncomingMessage) : undefined;
      // Creation only reaches tus through the route below, which always chose an id.
      if (!id) throw { status_code: 500, body: 'no upload id was chosen' };
      return incoming.tusId(id);
    },
    // URLs carry Parley's upload id; tus's own name for it may differ (an S3 key with a prefix).
    getFileIdFromRequest: (_req, last) => (last && UPLOAD_ID.test(last) ? incoming.tusId(last) : undefined),
    // Absolute, so any client (curl, a script) can follow it; behind a proxy, the public origin.
    // A relative Location would also survive proxies, but not a client that takes it as a URL.
    generateUrl: (req, { proto, host, path, id }) => {
      const raw = req.runtime?.node?.req;
      const origin = raw ? origins.get(raw as IncomingMessage) : undefined;
      return `${origin ?? `${proto}://${host}`}${path}/${incoming.uploadId(id)}`;
    },
    onUploadFinish: async (_req, upload: Upload) => {
      await files.complete(incoming.uploadId(upload.id));
      return {};
    },
  });

  app.addContentTypeParser(TUS_BODY, (_req, _payload, done) => done(null, undefined));

  const hand = async (req: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    withoutForwardedProto(req.raw);
    await tus.handle(req.raw, reply.raw);
  };
  const hidden = { schema: { hide: true } };

  app.post('/uploads', hidden, async (req, reply) => {
    const actor = actorOf(req);
    const header = req.headers['upload-length'];
    if (typeof header !== 'string' || !/^\d{1,15}$/.test(header)) {
      throw new AppError('invalid_request', 'Send Upload-Length: the size of the file in bytes (deferred lengths are not accepted).', { field: 'Upload-Length' });
    }
    const id = await files.create(actor.userId, Number(header), metadataName(req.headers['upload-metadata'] as string | undefined));
    chosenIds.set(req.raw, id);
    origins.set(req.raw, publicOrigin(req));
    await hand(req, reply);
    if (reply.raw.statusCode >= 300) await files.forget(id);
  });

  /** The upload, if the caller owns it; 404 for everyone else, exactly as for an unknown id. */
  const owned = async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const row = await files.ownUpload(actorOf(req).userId, req.params.id);
    if (!row) throw new AppError('not_found', 'No such upload.');
    return row;
  };

  /**
   * Every byte arrived but completion failed (the bucket or the database was briefly away): tus
   * would report the upload whole and a client would stop there, with a file that never becomes
   * attachable. A client's resume starts with HEAD, so completion is retried here.
   */
  const finishedButNotComplete = async (id: string) => {
    const up = await incoming.datastore.getUpload(incoming.tusId(id)).catch(() => null);
    return up !== null && up.size !== undefined && up.offset === up.size;
  };

  app.head<{ Params: { id: string } }>('/uploads/:id', hidden, async (req, reply) => {
    let row = await owned(req);
    if (row.state === 'uploading' && (await finishedButNotComplete(row.id))) {
      await files.complete(row.id);
      row = await owned(req);
    }
    // A finished upload's bytes left tus for the blob store; its state is answered from the row.
    if (row.state === 'complete') {
      return reply
        .status(200)
        .headers({ 'tus-resumable': '1.0.0', 'upload-offset': String(row.size), 'upload-length': String(row.size), 'cache-control': 'no-store' })
        .send();
    }
    return hand(req, reply);
  });

  app.patch<{ Params: { id: string } }>('/uploads/:id', hidden, async (req, reply) => {
    const row = await owned(req);
    if (row.state === 'complete') throw new AppError('conflict', 'This upload is complete.');
    return hand(req, reply);
  });

  // Termination (tus): the uploader cancels an upload, or drops a finished one no message
  // carries, and gets its quota back. A file a message carries goes only with its message.
  app.delete<{ Params: { id: string } }>('/uploads/:id', hidden, async (req, reply) => {
    const row = await owned(req);
    const attached = () => new AppError('conflict', 'This file is attached to a message; recall the message instead.');
    if (row.message_id !== null) throw attached();
    if (row.state === 'uploading') {
      await hand(req, reply);
      if (reply.raw.statusCode === 204) await files.discard(row.id);
      return;
    }
    if (!(await files.discard(row.id))) throw attached();
    return reply.status(204).header('tus-resumable', '1.0.0').send();
  });
}
