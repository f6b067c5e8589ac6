/**
 * Live settings: the edit and recall windows, who may sign up, and the message and upload size
 * limits, changed by an admin while
 * Parley runs, hold from the next request on — for edits, recalls, sign-ups, `/limits` and a new
 * socket's hello — on this node and on another node of the cluster, with no restart; audited;
 * refused to members and for values that are not settings. The environment gives the defaults.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import type { AuditEntry, ErrorBody, LimitsInfo, Message, WorkspaceSettings } from '@parley/protocol';
import { api, createConversation, errorCode, registerUser, SocketClient, sleep, startServer, type TestServer } from '../testing/harness.js';
import { Cluster, CLUSTER_NEEDS, clusterSkipped } from '../testing/cluster.js';
import { uploadFile } from '../testing/files.js';
import { LIVE_LIMITS_REFRESH_MS } from './settings.js';

/** Creates an upload of `length` bytes (no bytes sent): 201, or the refusal's status and code. */
async function createUpload(s: TestServer, token: string, length: number): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${s.url}/api/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': String(length) } });
  const text = await res.text();
  return res.status === 201 ? { status: 201 } : { status: res.status, code: (JSON.parse(text) as { error: ErrorBody }).error.code };
}

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const patch = (s: TestServer, token: string, body: Record<string, unknown>) => api<WorkspaceSettings & { error: ErrorBody }>(s, 'PATCH', '/admin/settings', body, token);

describe('live workspace settings', () => {
  test('the windows and registration change at run time, with the environment as the default, audited, for admins only', async () => {
    const server = await startServer({ editWindowMs: 60_000, recallWindowMs: null, registration: 'open' });
    servers.push(server);
    const owner = await registerUser(server);
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const defaults = (await api<WorkspaceSettings>(server, 'GET', '/admin/settings', undefined, owner.token)).body;
    expect(defaults).toMatchObject({ edit_window_ms: 60_000, recall_window_ms: null, registration: 'open' });

    // A member may not; values that are not settings are refused by name.
    expect((await patch(server, alice.token, { edit_window_ms: 1 })).status).toBe(403);
    for (const [body, field] of [
      [{ edit_window_ms: -1 }, 'edit_window_ms'],
      [{ recall_window_ms: '10m' }, 'recall_window_ms'],
      [{ registration: 'closed' }, 'registration'],
    ] as const) {
      const r = await patch(server, owner.token, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.field).toContain(field);
    }

    const send = async (body: string) => (await api<Message>(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: randomUUID(), body }, alice.token)).body;
    const early = await send('typo');
    // The edit window shrinks to 300 ms: a message older than that can no longer be edited.
    expect((await patch(server, owner.token, { edit_window_ms: 300, recall_window_ms: 300 })).body).toMatchObject({ edit_window_ms: 300, recall_window_ms: 300 });
    await sleep(400);
    expect((await api<{ error: ErrorBody }>(server, 'PATCH', `/messages/${early.id}`, { body: 'fixed' }, alice.token)).body.error.code).toBe('edit_window_closed');
    expect((await api<{ error: ErrorBody }>(server, 'DELETE', `/messages/${early.id}`, undefined, alice.token)).body.error.code).toBe('recall_window_closed');
    // What clients are told: /limits and a new socket's hello.
    expect((await api<LimitsInfo>(server, 'GET', '/limits')).body.limits).toMatchObject({ edit_window_ms: 300, recall_window_ms: 300 });
    const s = await SocketClient.connect(server, alice.token);
    expect(s.hello!.limits).toMatchObject({ edit_window_ms: 300, recall_window_ms: 300 });
    await s.close();
    // Unlimited again: the same old message can be edited.
    await patch(server, owner.token, { edit_window_ms: null });
    expect((await api<Message>(server, 'PATCH', `/messages/${early.id}`, { body: 'fixed' }, alice.token)).body.body).toBe('fixed');

    // Registration by invite only, at once, and the sign-in screen says so.
    await patch(server, owner.token, { registration: 'invite' });
    expect((await api<{ registration: string }>(server, 'GET', '/auth/options')).body.registration).toBe('invite');
    expect((await api<{ error: ErrorBody }>(server, 'POST', '/auth/register', { username: `late${Date.now()}`, password: 'correct horse battery' })).body.error.code).toBe('registration_closed');
    await patch(server, owner.token, { registration: 'open' });
    expect((await api(server, 'POST', '/auth/register', { username: `later${Date.now()}`, password: 'correct horse battery' })).status).toBe(201);

    const audit = await api<{ entries: AuditEntry[] }>(server, 'GET', '/admin/audit?action=settings.changed&limit=20', undefined, owner.token);
    expect(audit.body.entries.map((e) => e.target)).toEqual(expect.arrayContaining(['edit_window_ms', 'recall_window_ms', 'registration']));
    expect(audit.body.entries.find((e) => e.target === 'edit_window_ms')?.data).toEqual({ from: 300, to: null });
  });

  test('the message and upload size limits change at run time: checked as their variables are, held by sends, edits, uploads and hellos', async () => {
    const server = await startServer({ limits: { maxMessageChars: 1_000, maxUploadBytes: 100_000 } });
    servers.push(server);
    const owner = await registerUser(server);
    const alice = await registerUser(server);
    const room = await createConversation(server, alice.token, { kind: 'channel', name: `limits-${Date.now()}`, visibility: 'public', member_ids: [] });
    expect((await api<WorkspaceSettings>(server, 'GET', '/admin/settings', undefined, owner.token)).body).toMatchObject({ max_message_chars: 1_000, max_upload_bytes: 100_000 });

    // Refused with the words PARLEY_MAX_MESSAGE_CHARS and PARLEY_MAX_UPLOAD_BYTES are refused with.
    for (const [body, message] of [
      [{ max_message_chars: 0 }, 'max_message_chars=0 is invalid: expected a whole number from 1 to 1000000'],
      [{ max_upload_bytes: 2 ** 40 }, `max_upload_bytes=${2 ** 40} is invalid: expected a whole number from 1 to ${64 * 1024 * 1024 * 1024}`],
    ] as const) {
      const r = await patch(server, owner.token, body);
      expect([r.status, r.body.error.code, r.body.error.message, r.body.error.field]).toEqual([400, 'invalid_request', message, `/body/${Object.keys(body)[0]}`]);
    }
    expect((await patch(server, alice.token, { max_message_chars: 5 })).status).toBe(403);

    const socket = await SocketClient.connect(server, alice.token);
    const sent = await socket.request('message.send', { conv_id: room.id, client_msg_id: randomUUID(), body: 'x'.repeat(500) });
    expect((await patch(server, owner.token, { max_message_chars: 100, max_upload_bytes: 1_000 })).body).toMatchObject({ max_message_chars: 100, max_upload_bytes: 1_000 });
    // At once on this node: the socket opened before the change, REST, edits.
    expect(await errorCode(socket.request('message.send', { conv_id: room.id, client_msg_id: randomUUID(), body: 'x'.repeat(101) }))).toBe('payload_too_large');
    await socket.request('message.send', { conv_id: room.id, client_msg_id: randomUUID(), body: 'x'.repeat(100) });
    const rest = await api<{ error: ErrorBody }>(server, 'POST', `/conversations/${room.id}/messages`, { client_msg_id: randomUUID(), body: 'y'.repeat(101) }, alice.token);
    expect([rest.status, rest.body.error.message]).toEqual([413, 'A message has at most 100 characters.']);
    expect(await errorCode(socket.request('message.edit', { message_id: sent.id, body: 'z'.repeat(101) }))).toBe('payload_too_large');
    expect(await createUpload(server, alice.token, 1_001)).toEqual({ status: 413, code: 'payload_too_large' });
    expect(await uploadFile(server, alice, new Uint8Array(1_000))).toMatch(/^[0-9A-Z]{26}$/);
    // What clients are told.
    expect((await api<LimitsInfo>(server, 'GET', '/limits')).body.limits.max_message_chars).toBe(100);
    const fresh = await SocketClient.connect(server, alice.token);
    expect(fresh.hello!.limits.max_message_chars).toBe(100);
    await fresh.close();

    // Raised above the environment's value: the environment's is a default, not a ceiling.
    await patch(server, owner.token, { max_message_chars: 5_000, max_upload_bytes: 200_000 });
    await socket.request('message.send', { conv_id: room.id, client_msg_id: randomUUID(), body: 'x'.repeat(4_000) });
    expect(await createUpload(server, alice.token, 150_000)).toEqual({ status: 201 });
    await socket.close();
    const audit = await api<{ entries: AuditEntry[] }>(server, 'GET', '/admin/audit?action=settings.changed&limit=20', undefined, owner.token);
    expect(audit.body.entries.find((e) => e.target === 'max_message_chars')?.data).toEqual({ from: 100, to: 5_000 });

    // A restarted node holds what was stored, not the environment's.
    await server.stop();
    const again = await startServer({ limits: { maxMessageChars: 1_000, maxUploadBytes: 100_000 } }, server.dataDir);
    servers.push(again);
    expect((await api<LimitsInfo>(again, 'GET', '/limits')).body.limits.max_message_chars).toBe(5_000);
  });

  test.skipIf(clusterSkipped)(`a change made on one node holds on the other at once, a limit within its refresh interval ${CLUSTER_NEEDS}`, async () => {
    const cluster = new Cluster('live');
    try {
      const a = await cluster.node('a', { editWindowMs: 600_000 });
      const b = await cluster.node('b', { editWindowMs: 600_000 });
      const owner = await registerUser(a);
      const alice = await registerUser(a);
      const bob = await registerUser(a);
      const dm = await createConversation(a, alice.token, { kind: 'dm', user_id: bob.user.id });
      const sb = await cluster.connect(b, alice.token);
      expect(sb.hello!.limits.edit_window_ms).toBe(600_000);
      const m = await sb.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'on node b' });
      expect((await patch(a, owner.token, { edit_window_ms: 200 })).status).toBe(200);
      await sleep(300);
      // Node b, and the socket opened there before the change, refuse the edit now.
      expect(await errorCode(sb.request('message.edit', { message_id: m.id, body: 'too late' }))).toBe('edit_window_closed');
      expect((await api<LimitsInfo>(b, 'GET', '/limits')).body.limits.edit_window_ms).toBe(200);
      const fresh = await cluster.connect(b, bob.token);
      expect(fresh.hello!.limits.edit_window_ms).toBe(200);

      // A limit node b holds in memory: within its refresh interval (every ${LIVE_LIMITS_REFRESH_MS} ms) there too.
      const room = await createConversation(a, alice.token, { kind: 'channel', name: `lim-${Date.now()}`, visibility: 'public', member_ids: [] });
      expect((await patch(a, owner.token, { max_message_chars: 50, max_upload_bytes: 500 })).status).toBe(200);
      const t0 = Date.now();
      await expect
        .poll(async () => (await api<{ error?: ErrorBody }>(b, 'POST', `/conversations/${room.id}/messages`, { client_msg_id: randomUUID(), body: 'w'.repeat(51) }, alice.token)).status, {
          timeout: LIVE_LIMITS_REFRESH_MS * 5,
          interval: 100,
        })
        .toBe(413);
      expect(Date.now() - t0).toBeLessThan(LIVE_LIMITS_REFRESH_MS * 5);
      expect(await errorCode(sb.request('message.send', { conv_id: room.id, client_msg_id: randomUUID(), body: 'w'.repeat(51) }))).toBe('payload_too_large');
      expect(await createUpload(b, alice.token, 501)).toEqual({ status: 413, code: 'payload_too_large' });
      expect((await api<LimitsInfo>(b, 'GET', '/limits')).body.limits.max_message_chars).toBe(50);
    } finally {
      await cluster.stop();
    }
  });
});
