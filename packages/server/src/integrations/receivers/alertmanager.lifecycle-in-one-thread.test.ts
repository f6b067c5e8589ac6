/**
 * An alert group's life as Alertmanager reports it — firing, repeated, one more alert, resolved —
 * lands in one thread whose root always shows the current state; repeats post nothing. Against
 * a real server, posting the fixture the way Alertmanager does (JSON to the hook's URL).
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { CreatedIncomingWebhook, HistoryPage, Message, ThreadPage } from '@parley/protocol';
import { api, createConversation, registerUser, type TestServer, type TestUser } from '../../testing/harness.js';
import { serverPerFile } from '../../testing/fixture.js';
import { parseAlertmanager, planAlertmanager, type AmPayload } from './alertmanager.js';

let server!: TestServer;
let admin!: TestUser;
serverPerFile((s, owner) => ((server = s), (admin = owner)));

const fixture = (): AmPayload => JSON.parse(fs.readFileSync(new URL('./fixtures/alertmanager-v4-firing.json', import.meta.url), 'utf8')) as AmPayload;
const resolve = (p: AmPayload, fingerprints: string[]): AmPayload => {
  const alerts = p.alerts.map((a) => (fingerprints.includes(a.fingerprint) ? { ...a, status: 'resolved' as const, endsAt: '2026-11-30T10:30:00.000Z' } : a));
  return { ...p, alerts, status: alerts.every((a) => a.status === 'resolved') ? 'resolved' : 'firing' };
};

describe('planning a group’s notifications', () => {
  test('first: a root and the firing alerts; a repeat: the root only; a resolution: said in the thread and on the root', () => {
    const p = fixture();
    const first = planAlertmanager(parseAlertmanager(p), null, '2026-11-30T10:02:00.000Z');
    expect(first.root.split('\n')[0]).toBe('🔥 **ProbeFailure** firing: 2');
    expect(first.root).toContain('notified 1×');
    expect(first.root).toContain('[Silence](http://alertmanager.example.org:9093/#/silences/new?filter=%7Balertname%3D%22ProbeFailure%22%7D)');
    expect(first.replies).toEqual([
      '🔥 Firing:\n' +
        '- [**ProbeFailure** (instance=https://api.example.org)](http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1): Probe failed: https://api.example.org\n' +
        '- [**ProbeFailure** (instance=https://www.example.org)](http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1): Probe failed: https://www.example.org',
    ]);
    const repeat = planAlertmanager(parseAlertmanager(p), first.state, '2026-11-30T14:02:00.000Z');
    expect(repeat.replies).toEqual([]);
    expect(repeat.root).toContain('notified 2×');
    expect(repeat.root).toContain('last 2026-11-30 14:02:00 UTC');
    const half = planAlertmanager(parseAlertmanager(resolve(p, ['1a30ba71cca2921f'])), repeat.state, '2026-11-30T14:05:00.000Z');
    expect(half.root.split('\n')[0]).toBe('🔥 **ProbeFailure** firing: 1, resolved: 1');
    expect(half.replies).toEqual([
      '✅ Resolved:\n- [**ProbeFailure** (instance=https://api.example.org)](http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1): Probe failed: https://api.example.org',
    ]);
    const done = planAlertmanager(parseAlertmanager(resolve(p, ['1a30ba71cca2921f', '2b41cb82ddb3a32a'])), half.state, '2026-11-30T14:10:00.000Z');
    expect(done.root.split('\n')[0]).toBe('✅ **ProbeFailure** resolved (all 2)');
    expect(done.root).not.toContain('Silence');
    expect(done.replies).toHaveLength(1);
  });

  test('what Alertmanager would never send is refused with the field named', () => {
    const p = fixture();
    for (const [bad, field] of [
      [{ ...p, version: '3' }, '/version'],
      [{ ...p, groupKey: 7 }, '/groupKey'],
      [{ ...p, alerts: [] }, '/alerts'],
      [{ ...p, alerts: [{ ...p.alerts[0], status: 'pending' }] }, '/alerts/0/status'],
      [{ ...p, alerts: [{ ...p.alerts[0], labels: [] }] }, '/alerts/0/labels'],
    ] as const) {
      expect(() => parseAlertmanager(bad)).toThrowError(expect.objectContaining({ code: 'invalid_request', extra: { field } }));
    }
  });
});

describe('an Alertmanager hook', () => {
  async function setUp(): Promise<{ convId: string; hook: CreatedIncomingWebhook; member: TestUser }> {
    const member = await registerUser(server);
    const convId = (await createConversation(server, admin.token, { kind: 'channel', name: `alerts-${randomUUID().slice(0, 6)}`, visibility: 'private', member_ids: [member.user.id] })).id;
    const res = await api<CreatedIncomingWebhook>(server, 'POST', `/conversations/${convId}/webhooks`, { name: 'Alertmanager', kind: 'alertmanager' }, admin.token);
    expect(res.status).toBe(201);
    expect(res.body.kind).toBe('alertmanager');
    return { convId, hook: res.body, member };
  }
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => [r.status, await r.text()]);
  const roots = async (u: TestUser, convId: string): Promise<Message[]> =>
    (await api<HistoryPage>(server, 'GET', `/conversations/${convId}/messages?limit=100`, undefined, u.token)).body.messages.filter((m) => m.thread_root_id === null);
  const thread = async (u: TestUser, rootId: string) => (await api<ThreadPage>(server, 'GET', `/messages/${rootId}/thread`, undefined, u.token)).body;

  test('firing → repeated → half resolved → resolved is one thread; the root is edited in place; repeats post nothing', async () => {
    const { convId, hook, member } = await setUp();
    const p = fixture();
    expect(await post(hook.url, p)).toEqual([200, 'ok']);
    let [root] = await roots(member, convId);
    expect(root!.sender_id).toBe(hook.bot_user_id);
    expect(root!.body.split('\n')[0]).toBe('🔥 **ProbeFailure** firing: 2');
    expect((await thread(member, root!.id)).replies.map((r) => r.body.split('\n')[0])).toEqual(['🔥 Firing:']);

    // Alertmanager's repeat_interval: the same group again, twice.
    expect(await post(hook.url, p)).toEqual([200, 'ok']);
    expect(await post(hook.url, p)).toEqual([200, 'ok']);
    [root] = await roots(member, convId);
    expect(root!.body).toContain('notified 3×');
    expect(root!.edited_at).not.toBeNull();
    expect((await thread(member, root!.id)).replies).toHaveLength(1);

    expect(await post(hook.url, resolve(p, ['1a30ba71cca2921f']))).toEqual([200, 'ok']);
    expect(await post(hook.url, resolve(p, ['1a30ba71cca2921f', '2b41cb82ddb3a32a']))).toEqual([200, 'ok']);
    const all = await roots(member, convId);
    expect(all).toHaveLength(1);
    expect(all[0]!.body.split('\n')[0]).toBe('✅ **ProbeFailure** resolved (all 2)');
    expect((await thread(member, all[0]!.id)).replies.map((r) => r.body.split('\n')[0])).toEqual(['🔥 Firing:', '✅ Resolved:', '✅ Resolved:']);

    // Another group is another thread; a bad body is a typed 400 and posts nothing.
    expect(await post(hook.url, { ...p, groupKey: '{}:{alertname="DiskFull"}', groupLabels: { alertname: 'DiskFull' } })).toEqual([200, 'ok']);
    expect(await roots(member, convId)).toHaveLength(2);
    expect(await post(hook.url, { ...p, alerts: 'none' })).toEqual([400, 'invalid_payload']);
    expect(await roots(member, convId)).toHaveLength(2);
  });

  test('a notification refused half-way (the channel archived) is finished by Alertmanager’s retry: no reply is lost', async () => {
    const { convId, hook, member } = await setUp();
    const p = fixture();
    expect(await post(hook.url, p)).toEqual([200, 'ok']);
    const archive = (archived: boolean) => api(server, 'PATCH', `/conversations/${convId}`, { archived }, admin.token);
    expect((await archive(true)).status).toBe(200);
    const resolvedAll = resolve(p, ['1a30ba71cca2921f', '2b41cb82ddb3a32a']);
    // The group's state moved, but nothing could be posted: Alertmanager is told to retry.
    expect(await post(hook.url, resolvedAll)).toEqual([403, 'channel_is_archived']);
    expect((await archive(false)).status).toBe(200);
    expect(await post(hook.url, resolvedAll)).toEqual([200, 'ok']);
    const [root, ...others] = await roots(member, convId);
    expect(others).toEqual([]);
    expect(root!.body.split('\n')[0]).toBe('✅ **ProbeFailure** resolved (all 2)');
    expect((await thread(member, root!.id)).replies.map((r) => r.body.split('\n')[0])).toEqual(['🔥 Firing:', '✅ Resolved:']);
  });

  test('a credential in an alert is masked before the notification is kept to finish later, not only when it is posted', async () => {
    const { convId, hook } = await setUp();
    const KEY = 'AKIAZ7QK3N5B2XW4LP6D';
    const p = fixture();
    expect(await post(hook.url, p)).toEqual([200, 'ok']);
    const archive = (archived: boolean) => api(server, 'PATCH', `/conversations/${convId}`, { archived }, admin.token);
    expect((await archive(true)).status).toBe(200);
    const leaky = resolve(p, ['1a30ba71cca2921f']);
    leaky.alerts[0]!.annotations = { summary: `Probe failed with key ${KEY}` };
    // Refused half-way: what it still has to post waits in integration_threads.pending.
    expect(await post(hook.url, leaky)).toEqual([403, 'channel_is_archived']);
    const waiting = await server.parley.storage.db.selectFrom('integration_threads').select('pending').where('pending', 'is not', null).execute();
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.map((w) => w.pending).join('\n')).toContain('AKIA');
    expect(waiting.map((w) => w.pending).join('\n')).not.toContain(KEY);
    expect((await archive(false)).status).toBe(200);
  });

  test('notifications about one group arriving at once still make one root, and each change is said once', async () => {
    const { convId, hook, member } = await setUp();
    const p = fixture();
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(hook.url, p)));
    expect(answers.every(([status]) => status === 200)).toBe(true);
    const [root, ...others] = await roots(member, convId);
    expect(others).toEqual([]);
    expect(root!.body).toContain('notified 6×');
    expect((await thread(member, root!.id)).replies).toHaveLength(1);
  });
});
