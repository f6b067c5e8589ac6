import fs from 'node:fs';
import type https from 'node:https';
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import pino, { type Logger } from 'pino';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { LimitsInfo, PROTOCOL_LEVEL, type ErrorCode } from '@parley/protocol';
import type { Config } from './config/config.js';
import type { Bus } from './bus/bus.js';
import { MemoryBus } from './bus/memory.js';
import { NatsBus } from './bus/nats.js';
import { Publisher } from './bus/publisher.js';
import type { Deps } from './core/context.js';
import { openSqlite, type OpenedDb } from './store/db.js';
import { openPostgres } from './store/postgres.js';
import { buildServices, type Services } from './services.js';
import { clientErrorHandler, frameworkErrors, installErrorHandling, installJsonParser } from './http/errors.js';
import { coercingAjv, strictAjv } from './http/validation.js';
import { lazySerializer, lazyValidator } from './http/lazy-compilers.js';
import { httpTimeouts, installBodyTimeout } from './http/timeouts.js';
import { authRoutes, publicAuthRoutes } from './auth/routes.js';
import { ssoRoutes } from './auth/sso-routes.js';
import { tokenRoutes } from './auth/token-routes.js';
import { usersRoutes } from './users/routes.js';
import { conversationsRoutes } from './conversations/routes.js';
import { retentionRoutes } from './conversations/retention.js';
import { messagesRoutes } from './messages/routes.js';
import { Gateway } from './gateway/gateway.js';
import { adminRoutes } from './audit/routes.js';
import { workspaceRoutes } from './workspace/routes.js';
import { filesRoutes } from './files/routes.js';
import { downloadRoutes } from './files/download-routes.js';
import { searchRoutes } from './search/routes.js';
import { hookPostRoutes, webhookRoutes } from './integrations/routes.js';
import { reminderRoutes } from './reminders/routes.js';
import { pinsRoutes } from './pins/routes.js';
import { pushRoutes } from './push/routes.js';
import { operationsRoutes } from './operations/routes.js';
import { traceRoutes } from './trace/routes.js';
import { adminConsoleRoutes } from './admin/routes.js';
import { NodeHeartbeat } from './admin/heartbeat.js';
import { notificationsRoutes } from './notifications/routes.js';
import { Metrics } from './metrics/metrics.js';
import { Tracing } from './telemetry/tracing.js';
import { installMetrics, MetricsListener } from './metrics/http.js';
import { answerPrimary } from './metrics/cluster.js';
import { openFileStorage, type FileStorage } from './files/storage.js';
import { AppError } from './core/errors.js';
import { bearerAuth } from './http/auth.js';
import { responses } from './http/schemas.js';
import { installSecurityHeaders } from './http/security-headers.js';

export interface Parley {
  app: FastifyInstance;
  storage: OpenedDb;
  bus: Bus;
  services: Services;
  gateway: Gateway;
  config: Config;
  /** Reads the TLS certificate and key again (after a renewal); false when not serving TLS. New connections get the new one. */
  reloadTls(): boolean;
  /** This node's Prometheus metrics. */
  metrics: Metrics;
  /** The port of the metrics-only listener (PARLEY_METRICS_PORT), null without one. */
  metricsPort: number | null;
  /** This node's row in `nodes`, written every ~10 s: the admin console's live figures. */
  heartbeat: NodeHeartbeat;
  /** Graceful: stop accepting, ask sockets to reconnect elsewhere, flush, close storage. */
  close(): Promise<void>;
}

function readTls(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  return { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
}

export interface BuildOptions {
  logger?: Logger;
  bus?: Bus;
  now?: () => number;
}

/** Builds a Parley server without listening; `main.ts` listens, tests may use `inject` or a real port. */
export async function build(config: Config, opts: BuildOptions = {}): Promise<Parley> {
  const log = opts.logger ?? pino({ level: config.logLevel });
  const metrics = new Metrics();
  const onQuery = (sql: string, ms: number) => metrics.dbSeconds.observe({ op: Metrics.op(sql) }, ms / 1000);
  const opened: OpenedDb = config.databaseUrl
    ? await openPostgres(config.databaseUrl, config.pgSchema, config.pgPoolSize, log, onQuery)
    : await openSqlite(config.dataDir, config.sqliteSynchronous, config.sqliteCheckpointMs, log, onQuery);
  if (config.natsUrl && !config.databaseUrl) {
    log.warn('NATS_URL without DATABASE_URL: every node would have its own SQLite file; use PostgreSQL for several nodes');
  }
  const bus = opts.bus ?? (config.natsUrl ? NatsBus.start(config.natsUrl, log, config.nodeName) : new MemoryBus());
  const deps: Deps = {
    db: opened.db,
    config,
    publisher: new Publisher(bus),
    log,
    now: opts.now ?? Date.now,
    sqlite: opened.sqlite,
    sqliteReader: opened.sqliteReader,
    reads: opened.reads,
    sqliteTurn: opened.sqliteTurn,
    pg: opened.pg,
    metrics,
    tracing: config.otlpEndpoint ? new Tracing({ endpoint: config.otlpEndpoint, sampleRatio: config.otlpSampleRatio, nodeName: config.nodeName, log }) : null,
  };
  let files: FileStorage;
  try {
    files = await openFileStorage(config, bus, log);
  } catch (err) {
    // A bucket that does not answer stops start-up; nothing opened so far may hold the process.
    await bus.close().catch(() => undefined);
    await opened.close().catch(() => undefined);
    throw err;
  }
  const services = buildServices(deps, files);

  // HTTPS and WSS directly when a certificate is configured (reloaded by reloadTls, on SIGHUP).
  const tls = config.tlsCert && config.tlsKey ? readTls(config.tlsCert, config.tlsKey) : null;
  const app = Fastify({
    ...(tls ? { https: tls } : {}),
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: config.limits.maxBodyBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: 'x-request-id',
    // Fastify's default is no request timeout: a body that never completes held its connection forever.
    requestTimeout: config.limits.requestTimeoutMs,
    http: httpTimeouts(config.limits.requestTimeoutMs),
    // Errors raised before a route runs answer in Parley's shape too (errors.ts).
    frameworkErrors,
    clientErrorHandler,
  });
  app.decorateRequest('actor', null);
  app.setValidatorCompiler(({ schema, httpPart }) => lazyValidator(() => (httpPart === 'body' ? strictAjv.compile(schema) : coercingAjv.compile(schema))));
  app.setSerializerCompiler(lazySerializer);
  installJsonParser(app);
  installErrorHandling(app, config.webDir && fs.existsSync(path.join(config.webDir, 'index.html')) ? config.webDir : null);
  installBodyTimeout(app, config.limits.bodyTimeoutMs);

  await installSecurityHeaders(app);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Parley API', version: `level ${PROTOCOL_LEVEL}`, description: 'REST API of Parley. Errors are `{ "error": { "code", "message" } }`.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  // Swagger UI's page has inline scripts: it sends its own policy, allowing them by hash, never framed.
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true, transformStaticCSP: (csp) => csp.replace("frame-ancestors 'self'", "frame-ancestors 'none'") });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const checks: Record<string, string> = {};
    try {
      await opened.db.selectFrom('users').select('id').limit(1).execute();
      checks.database = 'ok';
    } catch {
      checks.database = 'down';
    }
    checks.bus = bus.healthy() ? 'ok' : 'degraded';
    // Search answers while earlier messages are still being indexed, with fewer hits: said here, not a failure.
    const backfill = services.searchBackfill.current();
    const queue = services.search.indexer?.status();
    checks.search =
      backfill.state === 'running'
        ? `indexing earlier messages (${backfill.remaining} left)`
        : backfill.state === 'failed'
          ? 'indexing earlier messages failed'
          : queue && queue.queued > 0
            ? `ok (${queue.queued} queued, ${queue.lagMs} ms behind)`
            : 'ok';
    const ready = checks.database === 'ok';
    return reply.status(ready ? 200 : 503).send({ status: ready ? (checks.bus === 'ok' ? 'ready' : 'degraded') : 'unavailable', node: config.nodeName, checks });
  });

  const gateway = new Gateway(services, bus, opened.db, config, log);
  metrics.watch({
    sockets: () => gateway.socketCounts(),
    sessions: async () => {
      const t = deps.now();
      const r = await opened.db
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', t)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  });
  const heartbeat = new NodeHeartbeat(deps, () => ({ ...gateway.socketCounts(), users: gateway.userCount() }));
  services.console.ownBeat = () => heartbeat.beat();
  installMetrics(app, metrics, config);
  // A `--workers` worker leaves the port to the primary, which sums every worker's figures (metrics/cluster.ts).
  const metricsListener = config.metricsPort > 0 && !answerPrimary(metrics.registry) ? new MetricsListener(metrics.registry) : null;
  const metricsPort = metricsListener ? await metricsListener.listen(config.metricsHost, config.metricsPort) : null;
  await services.workspace.start();
  services.presence.start();
  services.files.startSweeper();
  services.files.collector.start();
  services.searchBackfill.start();
  services.search.indexer?.start();
  services.messages.start();
  services.trace.start();
  services.dispatcher.start();
  services.pushDispatcher.start();
  services.reminders.start();
  services.users.expiry.start();
  heartbeat.start();

  await app.register(
    async (root) => {
      const api = root.withTypeProvider<TypeBoxTypeProvider>();
      // Every API request counts against its client IP, whoever is logged in.
      api.addHook('onRequest', async (req) => {
        const wait = await services.limits.ip.take(req.ip);
        if (wait > 0) throw new AppError('rate_limited', 'Too many requests from this address; retry later.', { retry_after_ms: wait });
      });
      // Public: nothing to authenticate with yet (sign-in) or nothing private (limits).
      api.get('/limits', { schema: { tags: ['meta'], summary: 'Limits in force and the protocol level', response: responses({ 200: LimitsInfo }) } }, async () => ({
        protocol_level: PROTOCOL_LEVEL,
        limits: await gateway.limits(),
      }));
      await api.register(publicAuthRoutes, { services });
      await api.register(ssoRoutes, { services });
      // Everything else needs a bearer token: one hook for the whole scope. A preHandler, so a
      // malformed request is answered 400 before its credentials are looked up, as before.
      await api.register(async (authed) => {
        authed.addHook('preHandler', bearerAuth(services));
        for (const routes of [
          authRoutes,
          tokenRoutes,
          usersRoutes,
          conversationsRoutes,
          retentionRoutes,
          messagesRoutes,
          pinsRoutes,
          adminRoutes,
          workspaceRoutes,
          downloadRoutes,
          searchRoutes,
          webhookRoutes,
          reminderRoutes,
          pushRoutes,
          operationsRoutes,
          notificationsRoutes,
          traceRoutes,
          adminConsoleRoutes,
        ])
          await authed.register(routes, { services });
        await authed.register(filesRoutes, { services, locker: files.locker });
      });
    },
    { prefix: '/api/v1' },
  );
  // Incoming webhooks: the URL is the credential, the answers are Slack's (integrations/routes.ts).
  await app.register(hookPostRoutes, { services });

  if (config.webDir && fs.existsSync(path.join(config.webDir, 'index.html'))) {
    const { default: fastifyStatic } = await import('@fastify/static');
    const webDir = config.webDir;
    await app.register(fastifyStatic, {
      root: webDir,
      wildcard: false,
      setHeaders(res, file) {
        // Hashed assets never change; the shell, manifest and service worker must revalidate.
        if (file.includes(`${path.sep}assets${path.sep}`)) res.header('cache-control', 'public, max-age=31536000, immutable');
        else res.header('cache-control', 'no-cache');
      },
    });
  } else {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/html').send('<!doctype html><meta charset="utf-8"><title>Parley</title><h1>Parley is running</h1><p>API: <a href="/api/docs">/api/docs</a> · socket: <code>/ws</code></p>'),
    );
  }

  app.server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));

  let closing: Promise<void> | null = null;
  return {
    app,
    storage: opened,
    bus,
    services,
    gateway,
    config,
    metrics,
    metricsPort,
    heartbeat,
    reloadTls() {
      if (!config.tlsCert || !config.tlsKey) return false;
      // Read both before swapping: a half-written pair leaves the old certificate in place.
      (app.server as https.Server).setSecureContext(readTls(config.tlsCert, config.tlsKey));
      return true;
    },
    close() {
      closing ??= (async () => {
        await gateway.drain(config.shutdownGraceMs);
        await services.presence.stop();
        services.files.stopSweeper();
        await services.searchBackfill.stop();
        await services.search.indexer?.stop();
        // Requests still open after the grace (an upload whose client stalled mid-body, say) are
        // cut: a shutdown must not wait for the request timeout of every slow client.
        const cut = setTimeout(() => app.server.closeAllConnections(), config.shutdownGraceMs);
        await app.close();
        clearTimeout(cut);
        // After the last request, before the database closes.
        await services.dispatcher.stop();
        await services.pushDispatcher.stop();
        await services.reminders.stop();
        await services.users.expiry.stop();
        services.workspace.stop();
        // Before the database closes: the row goes, so a node that left is not shown as a stale one.
        await heartbeat.stop();
        await services.messages.stop();
        // After the last batch told it its times: writes what waits, marks this node's devices offline.
        await services.trace.stop();
        // After the last request (a recall may have kicked it), before the database closes.
        await services.files.collector.stop();
        await files.close();
        await bus.close();
        await services.limits.close();
        await metricsListener?.close();
        // The spans of the last sends go out before the process may exit.
        await deps.tracing?.shutdown().catch((err: unknown) => log.warn({ err }, 'exporting the last OpenTelemetry spans failed'));
        await opened.close();
      })();
      return closing;
    },
  };
}

export type { ErrorCode };
