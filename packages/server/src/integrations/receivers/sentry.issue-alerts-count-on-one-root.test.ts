/**
 * Sentry's webhooks, signed as Sentry signs them (HMAC-SHA256 of the body with the integration's
 * client secret), against a real server: an issue and its alert events are one thread whose root
 * counts repeats ("×3 in the last hour") instead of posting them; resolving and regressing are
 * replies; a metric alert is its own thread. A bad, missing or replayed signature posts nothing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { api, type TestServer, type TestUser } from '../../testing/harness.js';
import { serverPerFile } from '../../testing/fixture.js';
import { hookIn, postAs, replyLines, rootsIn } from '../../testing/receivers.js';

let server!: TestServer;
let admin!: TestUser;
serverPerFile((s, owner) => ((server = s), (admin = owner)));

const CLIENT_SECRET = 'a3f1c9e07b6d4e2f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f';
const fixture = (name: string) => fs.readFileSync(new URL(`./fixtures/sentry-${name}.json`, import.meta.url), 'utf8');
const sign = (body: string, secret = CLIENT_SECRET) => crypto.createHmac('sha256', secret).update(body).digest('hex');
function deliver(url: string, resource: string, body: string, opts: { id?: string; signature?: string | null } = {}) {
  const signature = opts.signature === undefined ? sign(body) : opts.signature;
  return postAs(url, body, {
    'sentry-hook-resource': resource,
    'sentry-hook-timestamp': String(Math.floor(Date.now() / 1000)),
    'request-id': opts.id ?? crypto.randomUUID(),
    ...(signature === null ? {} : { 'sentry-hook-signature': signature }),
  });
}
const issueAction = (action: string, status: string, substatus: string) => {
  const p = JSON.parse(fixture('issue.created')) as { action: string; data: { issue: Record<string, unknown> } };
  p.action = action;
  p.data.issue.status = status;
  p.data.issue.substatus = substatus;
  p.data.issue.count = '40';
  return JSON.stringify(p);
};

describe('a Sentry hook', () => {
  test('needs the integration’s client secret when it is made', async () => {
    const { convId } = await hookIn(server, admin, 'slack');
    const res = await api(server, 'POST', `/conversations/${convId}/webhooks`, { name: 'Sentry', kind: 'sentry' }, admin.token);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'invalid_request', field: '/signing_secret' } });
    const github = await api(server, 'POST', `/conversations/${convId}/webhooks`, { name: 'GitHub', kind: 'github', signing_secret: CLIENT_SECRET }, admin.token);
    expect(github.status).toBe(400);
  });

  test('an issue and its repeated alert events are one thread: repeats count on the root, resolve and regress are replies', async () => {
    const { convId, hook } = await hookIn(server, admin, 'sentry', { signing_secret: CLIENT_SECRET });
    expect(hook.signing_secret).toBeUndefined();
    expect(await deliver(hook.url, 'issue', fixture('issue.created'))).toEqual([200, 'ok']);
    const alert = fixture('event_alert.triggered');
    const first = crypto.randomUUID();
    expect((await deliver(hook.url, 'event_alert', alert, { id: first }))[0]).toBe(200);
    expect((await deliver(hook.url, 'event_alert', alert))[0]).toBe(200);
    expect((await deliver(hook.url, 'event_alert', alert))[0]).toBe(200);
    // Sentry retries the first alert (the same Request-ID): not counted again.
    expect((await deliver(hook.url, 'event_alert', alert, { id: first }))[0]).toBe(200);

    let [root] = await rootsIn(server, admin, convId);
    expect(root!.body.split('\n')[0]).toBe("🐞 **[API-7Z: TypeError: Cannot read properties of undefined (reading 'retries')](https://acme.sentry.io/issues/1170820242/)** in api");
    expect(root!.body).toContain('unresolved · error · ×3 in the last hour · 1 event · 1 user');
    expect(root!.tags).toEqual(['sentry']);
    expect(await replyLines(server, admin, root!.id)).toEqual([
      "🆕 New issue (error): TypeError: Cannot read properties of undefined (reading 'retries')",
      '🔔 “Errors in production” triggered by [the event](https://acme.sentry.io/issues/1170820242/events/e4874d664c3540c1a32eab185f12c5ab/)',
    ]);

    expect((await deliver(hook.url, 'issue', issueAction('resolved', 'resolved', '')))[0]).toBe(200);
    [root] = await rootsIn(server, admin, convId);
    expect(root!.body.split('\n')[0]).toMatch(/^✅ /);
    expect((await deliver(hook.url, 'issue', issueAction('unresolved', 'unresolved', 'regressed')))[0]).toBe(200);
    const all = await rootsIn(server, admin, convId);
    expect(all).toHaveLength(1);
    expect(all[0]!.body).toContain('unresolved · error · ×3 in the last hour · 40 events');
    expect((await replyLines(server, admin, all[0]!.id)).slice(2)).toEqual(['✅ Sentry resolved it', '🔁 It regressed']);
  });

  test('a metric alert is a thread of its own: critical, repeated, resolved', async () => {
    const { convId, hook } = await hookIn(server, admin, 'sentry', { signing_secret: CLIENT_SECRET });
    const critical = fixture('metric_alert.critical');
    expect((await deliver(hook.url, 'metric_alert', critical))[0]).toBe(200);
    expect((await deliver(hook.url, 'metric_alert', critical))[0]).toBe(200);
    const resolved = critical.replace('"action": "critical"', '"action": "resolved"').replace('Critical: Too many errors', 'Resolved: Too many errors');
    expect((await deliver(hook.url, 'metric_alert', resolved))[0]).toBe(200);
    const [root] = await rootsIn(server, admin, convId);
    expect(root!.body.split('\n')[0]).toBe('✅ **[Too many errors](https://acme.sentry.io/organizations/acme/alerts/rules/details/86/?alert=4321)**');
    expect(await replyLines(server, admin, root!.id)).toEqual(['🔥 Critical: Too many errors', '✅ Resolved: Too many errors']);
  });

  test('a wrong, missing or other secret’s signature is 401 and posts nothing; so is a body changed after signing', async () => {
    const { convId, hook } = await hookIn(server, admin, 'sentry', { signing_secret: CLIENT_SECRET });
    const body = fixture('issue.created');
    expect(await deliver(hook.url, 'issue', body, { signature: null })).toEqual([401, 'invalid_signature']);
    expect(await deliver(hook.url, 'issue', body, { signature: sign(body, 'another integration’s secret') })).toEqual([401, 'invalid_signature']);
    expect(await deliver(hook.url, 'issue', body.replace('API-7Z', 'API-00'), { signature: sign(body) })).toEqual([401, 'invalid_signature']);
    expect(await rootsIn(server, admin, convId)).toEqual([]);
  });
});
