import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds, from a sub-millisecond send to a stalled one. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** What a scrape reads from the live server when it is scraped (gauges that are counts of something held elsewhere). */
export interface LiveFigures {
  sockets(): { open: number; authenticated: number };
  sessions(): Promise<number>;
}

/**
 * The node's Prometheus metrics (prom-client), one registry per server so several servers in a
 * process (tests) never share one. Labels are bounded: routes are patterns (`/api/v1/messages/:id`),
 * request types and error codes come from the protocol's fixed lists; no user, conversation or
 * message id is ever a label.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'parley_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly httpSeconds = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP request handling time, by method and route pattern',
    labelNames: ['method', 'route'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly socketRequests = new Counter({
    name: 'parley_socket_requests_total',
    help: 'Socket requests answered, by request type and outcome (ok or the error code)',
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'parley_errors_total',
    help: 'Typed errors answered, by code and transport (http, socket); rate_limited counts refusals by the rate limits',
    labelNames: ['code', 'transport'],
    registers: [this.registry],
  });
  readonly sends = new Counter({
    name: 'parley_sends_total',
    help: 'Message sends by outcome: acked (stored now), duplicate (a retry answered from the original), or the refusal code',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly sendSeconds = new Histogram({
    name: 'parley_send_commit_seconds',
    help: 'From a send arriving to its ack: checks, the group-commit wait and the commit (durable)',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly publishSeconds = new Histogram({
    name: 'parley_commit_publish_seconds',
    help: "From a send batch's commit to its events handed to the bus for fan-out",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({ name: 'parley_send_batch_size', help: 'Sends per group commit', buckets: BATCH_BUCKETS, registers: [this.registry] });
  readonly resyncRequests = new Counter({
    name: 'parley_resync_requests_total',
    help: 'Resync requests: sync (which conversations moved) and events (a page of one conversation)',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly resyncEvents = new Counter({ name: 'parley_resync_events_total', help: 'Log events served by resync pages', registers: [this.registry] });
  readonly slowConsumers = new Counter({
    name: 'parley_slow_consumers_dropped_total',
    help: 'Sockets closed because their send buffer stayed full (they reconnect and resync)',
    registers: [this.registry],
  });
  readonly dbSeconds = new Histogram({
    name: 'parley_db_query_duration_seconds',
    help: 'Database query time through the query builder, by statement kind',
    labelNames: ['op'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly pushes = new Counter({ name: 'parley_push_deliveries_total', help: 'Web Push attempts by outcome (sent, gone, retry, dropped)', labelNames: ['outcome'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
  }

  /** Adds the gauges read from the running server at each scrape (called once the gateway exists). */
  watch(live: LiveFigures): void {
    new Gauge({
      name: 'parley_sockets',
      help: 'WebSockets open on this node, and those authenticated',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const s = live.sockets();
        this.set({ state: 'open' }, s.open);
        this.set({ state: 'authenticated' }, s.authenticated);
      },
    });
    new Gauge({
      name: 'parley_sessions_active',
      help: 'Device sessions neither revoked nor expired (the whole deployment)',
      registers: [this.registry],
      // Every worker reads the same table: summed over `--workers` it would count each session N times.
      aggregator: 'first',
      async collect() {
        this.set(await live.sessions());
      },
    });
  }

  /** The statement kind of a query, for the database histogram's bounded label. */
  static op(sql: string): string {
    const m = /^\s*(select|insert|update|delete|with|begin|commit|rollback|pragma)\b/i.exec(sql);
    return m ? m[1]!.toLowerCase() : 'other';
  }
}
