/**
 * OpenTelemetry over OTLP/HTTP, checked at the protocol level: the test runs the collector's
 * receiving end (an HTTP server taking `POST /v1/traces` in OTLP's JSON encoding, which is what the
 * OpenTelemetry exporter sends) and reads the spans Parley exported. Runs on both engines (the
 * PostgreSQL pass sends through pg-send.ts, the default through the SQLite writer thread).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Message } from '@parley/protocol';
import { api, createConversation, registerUser, SocketClient, startServer, type TestServer } from '../testing/harness.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: { key: string; value: OtlpValue }[];
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const attr = (s: OtlpSpan, key: string): string | undefined => {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  return v === undefined ? undefined : String(v.stringValue ?? v.intValue);
};
const ms = (nanos: string) => Number(BigInt(nanos) / 1_000_000n);

let collector: http.Server;
let endpoint: string;
const bodies: string[] = [];

beforeAll(async () => {
  collector = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') bodies.push(body);
      res.writeHead(req.url === '/v1/traces' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => collector.close(resolve));
});

describe('OpenTelemetry traces', () => {
  test('a message is one trace: send with queue, commit and publish under it, and the delivery to its sockets; no content in any span', async () => {
    const server: TestServer = await startServer({ otlpEndpoint: endpoint, nodeName: 'node-otel' });
    let sent: Message;
    const body = `the deploy key is in the vault ${randomUUID()}`;
    try {
      const alice = await registerUser(server);
      const bob = await registerUser(server);
      const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
      const b = await SocketClient.connect(server, bob.token);
      const a = await SocketClient.connect(server, alice.token);
      const ack = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body });
      await b.waitFor((e) => e.type === 'message.created' && e.message.id === ack.id);
      sent = (await api<Message>(server, 'GET', `/messages/${ack.id}`, undefined, bob.token)).body;
      await a.close();
      await b.close();
    } finally {
      // A graceful stop exports what waits.
      await server.stop();
    }

    const exported = bodies.map((b) => JSON.parse(b) as OtlpExport);
    const resources = exported.flatMap((e) => e.resourceSpans);
    expect(resources.length).toBeGreaterThan(0);
    for (const r of resources) {
      const service = r.resource.attributes.find((x) => x.key === 'service.name')?.value.stringValue;
      expect(service).toBe('parley');
    }
    const spans = resources.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const send = spans.find((s) => s.name === 'message.send' && attr(s, 'parley.message.id') === sent.id);
    expect(send, 'the send span of the message').toBeDefined();
    expect(send!.parentSpanId ?? '').toBe('');
    expect(attr(send!, 'parley.conversation.id')).toBe(sent.conv_id);
    expect(attr(send!, 'parley.message.seq')).toBe(String(sent.seq));
    expect(attr(send!, 'parley.node')).toBe('node-otel');

    const inTrace = spans.filter((s) => s.traceId === send!.traceId);
    const child = (name: string) => {
      const found = inTrace.filter((s) => s.name === name);
      expect(
        found.map((s) => s.parentSpanId),
        name,
      ).toEqual([send!.spanId]);
      return found[0]!;
    };
    const queue = child('queue');
    const commit = child('commit');
    const publish = child('publish');
    const deliver = child('message.deliver');
    expect(attr(deliver, 'parley.node')).toBe('node-otel');
    expect(Number(attr(deliver, 'parley.sockets'))).toBeGreaterThanOrEqual(1);

    // In order: queued, committed, published within the send; delivered once published.
    const start = ms(send!.startTimeUnixNano);
    expect(ms(queue.startTimeUnixNano)).toBe(start);
    expect(ms(queue.endTimeUnixNano)).toBeLessThanOrEqual(ms(commit.endTimeUnixNano));
    expect(ms(commit.endTimeUnixNano)).toBeLessThanOrEqual(ms(publish.endTimeUnixNano));
    expect(ms(publish.endTimeUnixNano)).toBe(ms(send!.endTimeUnixNano));
    expect(ms(deliver.startTimeUnixNano)).toBeGreaterThanOrEqual(ms(commit.endTimeUnixNano));
    expect(Math.abs(start - Date.parse(sent.created_at))).toBeLessThan(5_000);

    // Ids and times only: the text never leaves in a span.
    expect(bodies.join('\n')).not.toContain(body.slice(-36));
  });
});
