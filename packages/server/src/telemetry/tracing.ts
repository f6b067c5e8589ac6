import { createHash } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';

/** One message of a committed send batch, as the send paths know it. */
export interface SentMessage {
  messageId: string;
  convId: string;
  seq: number;
  /** When the send joined the queue (ms, the deps clock). */
  acceptedAt: number;
}

/** The times of one send batch (ms, the deps clock). */
export interface BatchTimes {
  /** When the batch left the queue for the database. */
  startedAt: number;
  committedAt: number;
  publishedAt: number;
  size: number;
}

export interface TracingOptions {
  /** The collector's OTLP/HTTP base URL (`/v1/traces` is added) or its full traces URL. */
  endpoint: string;
  /** The share of messages traced, 0 < ratio <= 1; every node picks the same ones. */
  sampleRatio: number;
  nodeName: string;
  log: Logger;
}

/** In an encoded frame's first bytes (a string inside JSON has its quotes escaped, so a body cannot fake it). */
const MESSAGE_CREATED = '"type":"message.created"';

/**
 * The ids of a message's trace, derived from its conversation and seq. Every node computes them
 * alike, so a node that delivers the message adds its span to the send's trace without the trace
 * context riding along on the bus; the first bytes also decide sampling, the same on every node.
 */
function traceIds(convId: string, seq: number): { traceId: string; sendSpanId: string; draw: number } {
  const h = createHash('sha256').update(`${convId}:${seq}`).digest();
  return { traceId: h.subarray(0, 16).toString('hex'), sendSpanId: h.subarray(16, 24).toString('hex'), draw: h.readUInt32BE(24) / 2 ** 32 };
}

/**
 * Random ids, except for the next root span when one is preset: the send span must carry the ids
 * that deliveries on other nodes name as their parent. Spans start synchronously, so a preset is
 * taken by the very span it was set for (which asks for its span id and then its trace id).
 */
class PresetIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private traceId: string | null = null;
  private spanId: string | null = null;

  next(traceId: string, spanId: string): void {
    this.traceId = traceId;
    this.spanId = spanId;
  }

  generateTraceId(): string {
    const id = this.traceId ?? this.random.generateTraceId();
    this.traceId = null;
    return id;
  }

  generateSpanId(): string {
    const id = this.spanId ?? this.random.generateSpanId();
    this.spanId = null;
    return id;
  }
}

/**
 * OpenTelemetry spans for a message's way through the server, exported over OTLP/HTTP when
 * `PARLEY_OTLP_ENDPOINT` is set (and nothing at all when not: no provider, no hashing, one null
 * check per batch). Per message: `message.send` from acceptance to publication, with `queue`,
 * `commit` and `publish` under it; per node that delivers it, `message.deliver` (one span for all of
 * that node's sockets). Spans are made after the fact from times the send paths keep anyway, so
 * the hot path carries no span objects.
 */
export class Tracing {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly ids = new PresetIds();
  private readonly ratio: number;
  private readonly node: string;

  constructor(opts: TracingOptions) {
    const url = /\/v1\/traces\/?$/.test(opts.endpoint) ? opts.endpoint : `${opts.endpoint.replace(/\/+$/, '')}/v1/traces`;
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'parley', 'service.instance.id': opts.nodeName }),
      idGenerator: this.ids,
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { maxQueueSize: 20_000, maxExportBatchSize: 1_000 })],
    });
    this.tracer = this.provider.getTracer('parley');
    this.ratio = opts.sampleRatio;
    this.node = opts.nodeName;
    opts.log.info({ url, sample: opts.sampleRatio }, 'exporting OpenTelemetry traces');
  }

  /** A batch committed and was published: its messages' send spans. */
  sent(messages: readonly SentMessage[], batch: BatchTimes): void {
    for (const m of messages) {
      const ids = traceIds(m.convId, m.seq);
      if (ids.draw >= this.ratio) continue;
      const attributes: Attributes = {
        'parley.message.id': m.messageId,
        'parley.conversation.id': m.convId,
        'parley.message.seq': m.seq,
        'parley.batch.size': batch.size,
        'parley.node': this.node,
      };
      this.ids.next(ids.traceId, ids.sendSpanId);
      const root = this.tracer.startSpan('message.send', { kind: SpanKind.SERVER, startTime: m.acceptedAt, attributes, root: true });
      const parent = trace.setSpan(ROOT_CONTEXT, root);
      const queuedUntil = Math.max(m.acceptedAt, batch.startedAt);
      this.tracer.startSpan('queue', { startTime: m.acceptedAt }, parent).end(queuedUntil);
      this.tracer.startSpan('commit', { startTime: queuedUntil, attributes: { 'parley.batch.size': batch.size } }, parent).end(Math.max(queuedUntil, batch.committedAt));
      this.tracer.startSpan('publish', { startTime: batch.committedAt }, parent).end(Math.max(batch.committedAt, batch.publishedAt));
      root.end(Math.max(m.acceptedAt, batch.publishedAt));
    }
  }

  /**
   * This node handed a log event to its sockets; only a new message's delivery becomes a span
   * (edits and reactions have no send span to join).
   */
  delivered(convId: string, seq: number, frame: string, startedAt: number, endedAt: number, sockets: number): void {
    if (frame.lastIndexOf(MESSAGE_CREATED, 256) < 0) return;
    const ids = traceIds(convId, seq);
    if (ids.draw >= this.ratio) return;
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: ids.traceId, spanId: ids.sendSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    this.tracer
      .startSpan('message.deliver', { kind: SpanKind.CONSUMER, startTime: startedAt, attributes: { 'parley.node': this.node, 'parley.sockets': sockets, 'parley.message.seq': seq } }, parent)
      .end(Math.max(startedAt, endedAt));
  }

  /** Sends what waits (tests, and a graceful stop). */
  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
