import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.js';

/**
 * Node's http server options for the request timeout. Node answers a request that has not
 * arrived in full within `requestTimeout` with 408 and closes the connection, but looks for such
 * requests only every `connectionsCheckingInterval` (30 s by default, which would let a 30 s
 * timeout run to a minute); headers alone get at most as long as the whole request.
 * Upgraded connections (the WebSocket at /ws) leave Node's HTTP bookkeeping when they upgrade,
 * so these never cut a socket.
 */
export function httpTimeouts(requestTimeoutMs: number): { requestTimeout: number; headersTimeout: number; connectionsCheckingInterval: number } {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(60_000, requestTimeoutMs),
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(requestTimeoutMs / 4))),
  };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The request timeout bounds a whole request; a body that stalls (a client that sent its headers
 * and stops, or sends a byte now and then) would still hold a connection and a parser for that
 * long. The body is read through a stream that fails with `request_timeout` (408, connection
 * closed) once no byte has come for `bodyTimeoutMs`.
 */
export function installBodyTimeout(app: FastifyInstance, bodyTimeoutMs: number): void {
  app.addHook('preParsing', async (req, reply, payload) => {
    if (!hasBody(req.raw)) return payload;
    // A tus body (files/routes.ts) is read from the raw request by @tus/server; piping it here
    // would consume it. Node's request timeout still bounds it.
    if (req.headers['content-type'] === 'application/offset+octet-stream') return payload;
    const { body, stop } = idleCutOff(payload, bodyTimeoutMs);
    // Answered before the body was read (413 on Content-Length, say): the timer has no one to tell.
    reply.raw.once('close', stop);
    return body;
  });
}

function idleCutOff(source: Readable, ms: number): { body: Readable; stop: () => void } {
  // Fastify checks the body's size against Content-Length with `receivedEncodedLength`.
  const out = Object.assign(new PassThrough(), { receivedEncodedLength: 0 });
  // Fastify stops listening once it has answered; an error after that must not go unhandled.
  out.on('error', () => undefined);
  const timer = setTimeout(() => {
    out.destroy(new AppError('request_timeout', `The request body stalled: nothing arrived for ${ms} ms.`));
    source.unpipe(out);
  }, ms);
  const stop = () => clearTimeout(timer);
  source.on('data', (chunk: Buffer) => {
    out.receivedEncodedLength += chunk.length;
    timer.refresh();
  });
  source.once('end', stop);
  source.once('error', (err) => {
    stop();
    out.destroy(err);
  });
  source.once('close', () => {
    stop();
    // The client went away mid-body: end the read instead of leaving it waiting.
    if (!source.readableEnded) out.destroy(new AppError('invalid_request', 'The request was aborted before its body arrived.'));
  });
  out.once('close', stop);
  source.pipe(out);
  return { body: out, stop };
}
