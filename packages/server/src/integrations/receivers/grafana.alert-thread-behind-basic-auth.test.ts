/**
 * Grafana alerting's webhook contact point (payload version 1) against a real server: an alert
 * group fires and resolves in one thread with Grafana's own silence and panel links; a hook made
 * with basic auth refuses requests without the right username and password (401, nothing posted).
 */
import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { api, type TestServer, type TestUser } from '../../testing/harness.js';
import { serverPerFile } from '../../testing/fixture.js';
import { hookIn, postAs, replyLines, rootsIn } from '../../testing/receivers.js';

let server!: TestServer;
let admin!: TestUser;
serverPerFile((s, owner) => ((server = s), (admin = owner)));

const firing = fs.readFileSync(new URL('./fixtures/grafana-firing.json', import.meta.url), 'utf8');
const resolved = firing.replace(/"status": "firing"/g, '"status": "resolved"').replace('"endsAt": "0001-01-01T00:00:00Z"', '"endsAt": "2026-11-20T10:20:00+02:00"');
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('a Grafana hook', () => {
  test('firing then resolved is one thread, with Grafana’s silence and panel links while it fires', async () => {
    const { convId, hook } = await hookIn(server, admin, 'grafana');
    expect(hook.basic_auth_user).toBeNull();
    expect(await postAs(hook.url, firing)).toEqual([200, 'ok']);
    let [root] = await rootsIn(server, admin, convId);
    expect(root!.body.split('\n')[0]).toBe('🔥 **High memory usage** firing: 1');
    expect(root!.body).toContain(
      '[Grafana](https://grafana.example.com/) · [Silence](https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DHigh+memory+usage%2Cteam%3Dblue%2Czone%3Dus-1)',
    );
    expect(root!.tags).toEqual(['alert']);
    expect(await postAs(hook.url, resolved)).toEqual([200, 'ok']);
    const all = await rootsIn(server, admin, convId);
    expect(all).toHaveLength(1);
    root = all[0];
    expect(root!.body.split('\n')[0]).toBe('✅ **High memory usage** resolved');
    expect(root!.body).not.toContain('Silence');
    const thread = (await api<{ replies: { body: string }[] }>(server, 'GET', `/messages/${root!.id}/thread`, undefined, admin.token)).body.replies.map((r) => r.body);
    expect(thread[0]).toBe(
      '🔥 Firing:\n- [**High memory usage**](https://grafana.example.com/alerting/1afz29v7z/edit): Memory above 90% in us-1 · [panel](https://grafana.example.com/d/mem?viewPanel=2) · [silence](https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DHigh+memory+usage%2Cteam%3Dblue%2Czone%3Dus-1)',
    );
    expect(await replyLines(server, admin, root!.id)).toEqual(['🔥 Firing:', '✅ Resolved:']);
  });

  test('with basic auth: a missing, wrong or other user’s password is 401 and posts nothing; the right one posts', async () => {
    const { convId, hook } = await hookIn(server, admin, 'grafana', { basic_auth: { username: 'grafana', password: 'correct horse battery' } });
    expect(hook.basic_auth_user).toBe('grafana');
    expect(await postAs(hook.url, firing)).toEqual([401, 'invalid_signature']);
    expect(await postAs(hook.url, firing, basic('grafana', 'wrong horse battery'))).toEqual([401, 'invalid_signature']);
    expect(await postAs(hook.url, firing, basic('admin', 'correct horse battery'))).toEqual([401, 'invalid_signature']);
    expect(await rootsIn(server, admin, convId)).toEqual([]);
    expect(await postAs(hook.url, firing, basic('grafana', 'correct horse battery'))).toEqual([200, 'ok']);
    expect(await rootsIn(server, admin, convId)).toHaveLength(1);
    // Listing shows who must log in, never the password.
    const listed = await api<{ webhooks: { basic_auth_user: string | null }[] }>(server, 'GET', `/conversations/${convId}/webhooks`, undefined, admin.token);
    expect(listed.body.webhooks[0]!.basic_auth_user).toBe('grafana');
    expect(JSON.stringify(listed.body)).not.toContain('correct horse');
  });

  test('an Alertmanager body (version 4) or basic auth on a GitHub hook is refused with the field named', async () => {
    const { hook } = await hookIn(server, admin, 'grafana');
    expect(await postAs(hook.url, firing.replace('"version": "1"', '"version": "4"'))).toEqual([400, 'invalid_payload']);
    const { convId } = await hookIn(server, admin, 'slack');
    const res = await api(server, 'POST', `/conversations/${convId}/webhooks`, { name: 'GitHub', kind: 'github', basic_auth: { username: 'x', password: 'long enough password' } }, admin.token);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { field: '/basic_auth' } });
  });
});
