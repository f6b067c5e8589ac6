/**
 * The metrics as an operator meets them: behind a token on the main port (and nothing without
 * one), or on a listener of their own that a real Prometheus (Debian's `prometheus`) scrapes and
 * answers queries about; counters that move with what users do, and no user, conversation or
 * message id in any label.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { api, createConversation, registerUser, SocketClient, sleep, startServer, type TestServer } from '../testing/harness.js';
import { freePort } from '../testing/ports.js';

const PROMETHEUS = '/usr/bin/prometheus';
const TOKEN = 'scrape-me-please-0123456789';
const servers: TestServer[] = [];
let prometheus: ChildProcess | null = null;

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await Promise.all(servers.map((s) => s.stop()));
});

const scrape = async (url: string, token?: string) => {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, text: await res.text() };
};

/** The value of one sample (`name{labels} value`), or null. */
const sample = (text: string, name: string, labels: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : null;
};

describe('metrics', () => {
  test('on the main port only with the token; counters move with sends, HTTP requests and socket requests; no id is ever a label', async () => {
    const server = await startServer({ metricsToken: TOKEN });
    servers.push(server);
    const url = `${server.url}/metrics`;
    expect((await scrape(url)).status).toBe(401);
    expect((await scrape(url, 'not-the-token-at-all')).status).toBe(401);
    const closed = await startServer();
    servers.push(closed);
    expect((await scrape(`${closed.url}/metrics`, TOKEN)).status).toBe(404);

    const before = (await scrape(url, TOKEN)).text;
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const s = await SocketClient.connect(server, alice.token);
    const ack = await s.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'one' });
    await s.request('message.send', { conv_id: dm.id, client_msg_id: ack.client_msg_id, body: 'one' }); // a retry
    await api(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: randomUUID(), body: 'two' }, alice.token);
    await s.request('sync.events', { conv_id: dm.id, after_seq: 0 });
    const stranger = await registerUser(server);
    await api(server, 'GET', `/messages/${ack.id}`, undefined, stranger.token); // 404
    const after = (await scrape(url, TOKEN)).text;
    await s.close();

    const moved = (name: string, labels: string) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(moved('parley_sends_total', 'outcome="acked"')).toBe(2);
    expect(moved('parley_sends_total', 'outcome="duplicate"')).toBe(1);
    expect(moved('parley_socket_requests_total', 'type="message.send",outcome="ok"')).toBe(2);
    expect(moved('parley_resync_requests_total', 'kind="events"')).toBe(1);
    expect(moved('parley_http_requests_total', 'method="GET",route="/api/v1/messages/:id",status="404"')).toBe(1);
    expect(moved('parley_errors_total', 'code="not_found",transport="http"')).toBe(1);
    expect(sample(after, 'parley_send_commit_seconds_count', '') ?? Number(/parley_send_commit_seconds_count (\d+)/.exec(after)?.[1])).toBeGreaterThanOrEqual(3);
    expect(after).toMatch(/parley_send_batch_size_count \d+/);
    expect(after).toMatch(/parley_db_query_duration_seconds_count\{op="select"\} \d+/);
    expect(after).toMatch(/parley_sockets\{state="open"\} \d+/);
    expect(after).toMatch(/parley_sessions_active \d+/);
    expect(after).toMatch(/parley_process_cpu_seconds_total \d/);
    // No id of anything users made is a label value.
    for (const id of [alice.user.id, bob.user.id, dm.id, ack.id]) expect(after).not.toContain(id);
    expect(after).not.toMatch(/[0-9A-HJKMNP-TV-Z]{26}/);
  });

  test.skipIf(!fs.existsSync(PROMETHEUS))(
    'a real Prometheus scrapes the metrics listener and answers a query about sends',
    async () => {
      const metricsPort = await freePort();
      const server = await startServer({ metricsPort });
      servers.push(server);
      expect(server.parley.metricsPort).toBe(metricsPort);
      // The listener serves the metrics and nothing else.
      expect((await scrape(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(200);
      expect((await scrape(`http://127.0.0.1:${metricsPort}/api/v1/limits`)).status).toBe(404);

      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-prom-'));
      const config = path.join(dir, 'prometheus.yml');
      fs.writeFileSync(config, ['global:', '  scrape_interval: 1s', 'scrape_configs:', '  - job_name: parley', '    static_configs:', `      - targets: ['127.0.0.1:${metricsPort}']`, ''].join('\n'));
      const webPort = await freePort();
      prometheus = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${webPort}`], { stdio: 'ignore' });

      const alice = await registerUser(server);
      const bob = await registerUser(server);
      const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
      for (let i = 0; i < 5; i++) await api(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: randomUUID(), body: `m${i}` }, alice.token);

      const query = async (q: string): Promise<number | null> => {
        const res = await fetch(`http://127.0.0.1:${webPort}/api/v1/query?query=${encodeURIComponent(q)}`).catch(() => null);
        if (!res?.ok) return null;
        const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
        return body.data.result.length > 0 ? Number(body.data.result[0]!.value[1]) : null;
      };
      let sends: number | null = null;
      for (let i = 0; i < 60 && (sends === null || sends < 5); i++) {
        await sleep(500);
        sends = await query('sum(parley_sends_total{job="parley",outcome="acked"})');
      }
      expect(sends).toBe(5);
      expect(await query('up{job="parley"}')).toBe(1);
    },
    60_000,
  );
});
