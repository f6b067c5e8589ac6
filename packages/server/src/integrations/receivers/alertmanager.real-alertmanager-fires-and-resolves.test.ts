/**
 * A real Alertmanager (Debian's `prometheus-alertmanager`) routes an alert to a Parley hook:
 * firing, then resolved, in one thread with one root. Skips in one line where it is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import type { CreatedIncomingWebhook, HistoryPage, Message, ThreadPage } from '@parley/protocol';
import { until } from '@parley/protocol/testing';
import { api, createConversation, type TestServer, type TestUser } from '../../testing/harness.js';
import { serverPerFile } from '../../testing/fixture.js';
import { freePort } from '../../testing/ports.js';

const binary = spawnSync('sh', ['-c', 'command -v prometheus-alertmanager'], { encoding: 'utf8' }).stdout.trim();
if (!binary) console.log('Alertmanager test skipped: prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager).');

let server!: TestServer;
let admin!: TestUser;
serverPerFile((s, owner) => ((server = s), (admin = owner)));
let am: ChildProcess | null = null;
afterAll(() => {
  am?.kill('SIGTERM');
});

describe.skipIf(!binary)('a real Alertmanager', () => {
  test('fires, then resolves, one alert group into one self-updating thread', { timeout: 90_000 }, async () => {
    const convId = (await createConversation(server, admin.token, { kind: 'channel', name: `am-${randomUUID().slice(0, 6)}`, visibility: 'public' })).id;
    const hook = (await api<CreatedIncomingWebhook>(server, 'POST', `/conversations/${convId}/webhooks`, { name: 'Alertmanager', kind: 'alertmanager' }, admin.token)).body;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-am-'));
    fs.writeFileSync(
      path.join(dir, 'alertmanager.yml'),
      [
        'route:',
        '  receiver: parley',
        "  group_by: ['alertname']",
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '- name: parley',
        '  webhook_configs:',
        `  - url: '${hook.url}'`,
        '    send_resolved: true',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    am = spawn(binary, [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], { stdio: 'ignore' });
    const base = `http://127.0.0.1:${port}`;
    await until(
      'Alertmanager to be ready',
      () =>
        fetch(`${base}/-/ready`).then(
          (r) => r.ok,
          () => false,
        ),
      30_000,
      200,
    );

    const alert = (endsAt: string) => [
      {
        labels: { alertname: 'DiskFull', instance: 'db1' },
        annotations: { summary: 'Disk almost full on db1' },
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt,
        generatorURL: 'http://prometheus.example.org/graph',
      },
    ];
    const push = (endsAt: string) => fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert(endsAt)) });
    expect((await push(new Date(Date.now() + 3_600_000).toISOString())).status).toBe(200);

    const roots = async (): Promise<Message[]> =>
      (await api<HistoryPage>(server, 'GET', `/conversations/${convId}/messages`, undefined, admin.token)).body.messages.filter((m) => m.thread_root_id === null);
    const firing = await until('the firing root', async () => (await roots()).find((m) => m.body.startsWith('🔥 **DiskFull** firing: 1')), 30_000, 200);
    expect(firing.sender_id).toBe(hook.bot_user_id);

    // Resolved: an end time in the past; Alertmanager notifies after its group interval.
    expect((await push(new Date(Date.now() - 1_000).toISOString())).status).toBe(200);
    await until('the resolved root', async () => (await roots()).find((m) => m.body.startsWith('✅ **DiskFull** resolved')), 30_000, 200);
    expect(await roots()).toHaveLength(1);
    const replies = (await api<ThreadPage>(server, 'GET', `/messages/${firing.id}/thread`, undefined, admin.token)).body.replies.map((r) => r.body.split('\n')[0]);
    expect(replies).toEqual(['🔥 Firing:', '✅ Resolved:']);
  });
});
