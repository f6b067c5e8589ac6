import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, type ErrorBody, type ErrorCode } from '@parley/protocol';
import { AppError, isStorageUnavailable } from '../core/errors.js';
import { validationError } from './validation.js';
import { assertWellFormed } from './well-formed.js';

/** Maps any error to the wire shape `{ error: { code, message } }` with its HTTP status. */
export function toHttpError(err: unknown): { status: number; body: { error: ErrorBody } } {
  if (err instanceof AppError) return { status: err.status, body: { error: err.toBody() } };
  if (isStorageUnavailable(err)) return { status: 503, body: { error: { code: 'unavailable', message: ERRORS.unavailable.message } } };
  const fe = err as FastifyError & { validation?: unknown; validationContext?: string };
  if (fe && fe.validation) {
    const e = validationError(fe.validation as never, fe.validationContext ? `/${fe.validationContext}` : '');
    return { status: 400, body: { error: e.toBody() } };
  }
  const byCode: Record<string, AppError> = {
    FST_ERR_CTP_BODY_TOO_LARGE: new AppError('payload_too_large'),
    FST_ERR_CTP_INVALID_MEDIA_TYPE: new AppError('unsupported_media_type'),
    FST_ERR_CTP_EMPTY_JSON_BODY: new AppError('invalid_json', 'The body is empty; send a JSON object.'),
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: new AppError('invalid_request', 'Content-Length does not match the body.'),
    FST_ERR_BAD_URL: new AppError('invalid_request', 'The URL is malformed.'),
  };
  const mapped = fe?.code ? byCode[fe.code] : undefined;
  if (mapped) return { status: mapped.status, body: { error: mapped.toBody() } };
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Another client error Fastify raised: the catalogue code made for its status where there is one.
    const code = BY_STATUS[fe.statusCode];
    if (code) return { status: ERRORS[code].status, body: { error: { code, message: fe.message } } };
    return { status: fe.statusCode, body: { error: { code: 'invalid_request', message: fe.message } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: ERRORS.internal.message } } };
}

/** Statuses Fastify or Node raise on their own, and the one catalogue code that means each. */
const BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'invalid_request',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  431: 'headers_too_large',
};

/** Fastify's `frameworkErrors`: errors the router raises before any route runs (a bad percent-escape in the URL). */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toHttpError(err);
  void reply.status(status).send(body);
}

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refused (malformed, headers or URL
 * over the size limit, not complete within the request timeout). No request object exists, so
 * the answer is written on the socket, in Parley's shape instead of Fastify's, then it is closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message]: [ErrorCode, string] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['request_timeout', 'The request did not arrive in full within the request timeout.']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? ['headers_too_large', ERRORS.headers_too_large.message]
        : ['invalid_request', 'The request is not well-formed HTTP.'];
  const status = ERRORS[code].status;
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

/** `webDir`: when the web client is served, other GETs that want HTML get its shell (client-side routes). */
export function installErrorHandling(app: FastifyInstance, webDir: string | null = null): void {
  app.setErrorHandler((err, req, reply) => {
    // A client that hung up mid-request (Node fails the body with "aborted", ECONNRESET) left no
    // one to answer; it is neither a storage outage nor a server failure. The socket tells: the
    // request stream itself is destroyed after every fully read body too.
    if ((req.raw.socket as Socket | null)?.destroyed && !reply.raw.headersSent) {
      req.log.debug({ err }, 'the client closed the request before it was answered');
      return;
    }
    const { status, body } = toHttpError(err);
    req.errorCode = body.error.code;
    if (status === 503) req.log.warn({ err }, 'storage unavailable');
    else if (status >= 500) req.log.error({ err }, 'request failed');
    if (body.error.retry_after_ms !== undefined) reply.header('retry-after', Math.ceil(body.error.retry_after_ms / 1000));
    // The rest of a stalled body may never come: do not keep the connection waiting for it.
    if (body.error.code === 'request_timeout') reply.header('connection', 'close');
    void reply.status(status).send(body);
  });
  // Paths of the routes, so an unknown method on a known path is a 405 with Allow, not a 404.
  const routes: { pattern: RegExp; method: string }[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = new RegExp(`^${route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+')}/?$`);
    for (const method of [route.method].flat()) routes.push({ pattern, method });
  });
  app.setNotFoundHandler((req, reply) => {
    const wantsHtml = req.method === 'GET' && !req.url.startsWith('/api/') && String(req.headers.accept ?? '').includes('text/html');
    if (webDir && wantsHtml) {
      void reply.header('cache-control', 'no-cache').sendFile('index.html', webDir);
      return;
    }
    const path = req.url.split('?')[0] ?? '';
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length > 0 && req.url.startsWith('/api/')) {
      void reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send({ error: { code: 'method_not_allowed', message: `${path} answers ${allowed.join(', ')}, not ${req.method}.` } });
      return;
    }
    void reply.status(404).send({ error: { code: 'not_found', message: `No route ${req.method} ${path}.` } });
  });
}

/**
 * JSON bodies are read as bytes and decoded with a fatal UTF-8 decoder, so invalid UTF-8 is
 * rejected with a typed error instead of being silently replaced with U+FFFD; a lone surrogate
 * escaped in the JSON is refused too (see well-formed.ts).
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A JSON request body as the API reads it: UTF-8, well formed; empty is `undefined`. Throws typed errors. */
export function parseJsonBody(body: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new AppError('invalid_utf8');
  }
  if (text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new AppError('invalid_json', `The body is not valid JSON: ${(e as Error).message}`);
  }
  assertWellFormed(text, parsed, '/body');
  return parsed;
}

export function installJsonParser(app: FastifyInstance): void {
  // Fastify also parses text/plain by default; the API speaks only JSON, so that is a 415.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    try {
      done(null, parseJsonBody(body));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}
