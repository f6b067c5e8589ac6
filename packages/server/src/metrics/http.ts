import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';
import { AppError } from '../core/errors.js';
import type { Metrics } from './metrics.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error code answered, set by the error handler (http/errors.ts): counted by code. */
    errorCode: string | null;
  }
}

const sameSecret = (a: string, b: string) => {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
};

/**
 * Counts every HTTP answer by method, route pattern and status (an unmatched path is `unmatched`,
 * never its raw URL: labels stay bounded), and serves `/metrics` on the main port to a request
 * carrying PARLEY_METRICS_TOKEN. Without a token the path answers 404 like any unknown path.
 */
export function installMetrics(app: FastifyInstance, metrics: Metrics, config: Config): void {
  app.decorateRequest('errorCode', null);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.httpSeconds.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    if (req.errorCode) metrics.errors.inc({ code: req.errorCode, transport: 'http' });
  });
  const token = config.metricsToken;
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) throw new AppError('not_found', 'Not found.');
    if (!given || !sameSecret(given, token)) throw new AppError('unauthenticated', 'Metrics need Authorization: Bearer PARLEY_METRICS_TOKEN.');
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

/**
 * A listener serving only the metrics, without a token, for a scraper on a private network or the
 * same machine (PARLEY_METRICS_PORT on PARLEY_METRICS_HOST, 127.0.0.1 by default). Plain
 * `node:http`: nothing else is answered there, not even the API's error shape.
 */
export class MetricsListener {
  private readonly server: http.Server;

  /** `source`: this node's registry, or (the `--workers` primary) every worker's figures summed. */
  constructor(source: { metrics(): Promise<string>; readonly contentType: string }) {
    this.server = http.createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('only /metrics here\n');
        return;
      }
      source.metrics().then(
        (text) => res.writeHead(200, { 'content-type': source.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`),
      );
    });
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
