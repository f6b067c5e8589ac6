/**
 * An admin requires two-factor sign-in for the workspace: people who sign in with a password and
 * have not turned it on get a session that can do nothing but turn it on (REST and socket, and
 * sockets opened before), until they do; API tokens and single sign-on accounts are unaffected;
 * only admins change the setting, audited.
 */
import { generate } from 'otplib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AuthResult, ErrorBody, RecoveryCodes, TwoFactorSetup, WorkspaceSettings } from '@parley/protocol';
import { api, registerUser, SocketClient, startServer, type TestServer, type TestUser } from '../testing/harness.js';

type Err = { error: ErrorBody };
let server!: TestServer;
let owner!: TestUser;
beforeAll(async () => {
  server = await startServer();
  owner = await registerUser(server, 'boss');
});
afterAll(() => server?.stop());

const setRequired = (on: boolean, token = owner.token) => api<WorkspaceSettings & Err>(server, 'PATCH', '/admin/settings', { require_2fa: on }, token);
const login = (username: string) => api<AuthResult & Err>(server, 'POST', '/auth/login', { username, password: 'correct horse battery' });

test('only owners and admins change the requirement, and each change is audited', async () => {
  const member = await registerUser(server);
  const refused = await setRequired(true, member.token);
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('forbidden');
  // Every setting at the environment's value, the requirement as set: the answer is the whole settings object.
  const settings = (require_2fa: boolean): WorkspaceSettings => ({
    require_2fa,
    secret_policy: 'mask',
    edit_window_ms: 600_000,
    recall_window_ms: 600_000,
    registration: 'open',
    retention_days: null,
    max_message_chars: 16_000,
    max_upload_bytes: 100 * 1024 * 1024,
  });
  expect((await api<WorkspaceSettings>(server, 'GET', '/admin/settings', undefined, owner.token)).body).toEqual(settings(false));
  expect((await setRequired(true)).body).toEqual(settings(true));
  expect((await setRequired(false)).body).toEqual(settings(false));
  const audit = await api<{ entries: { action: string; target: string; data: unknown }[] }>(server, 'GET', '/admin/audit?limit=20', undefined, owner.token);
  const changes = audit.body.entries.filter((e) => e.action === 'settings.changed');
  expect(changes.map((e) => e.data)).toEqual([
    { from: true, to: false },
    { from: false, to: true },
  ]);
});

test('a member without two-factor signs in to a session that may only turn it on; once on, the same session does everything', async () => {
  const member = await registerUser(server);
  const token = (await api<{ token: string }>(server, 'POST', '/tokens', { name: 'ci' }, member.token)).body.token;
  // A socket opened before the requirement.
  const before = await SocketClient.connect(server, member.token);
  await setRequired(true);
  try {
    const held = await login(member.user.username);
    expect(held.status).toBe(200);
    expect(held.body.must_enrol_2fa).toBe(true);
    const t = held.body.access_token;
    const blocked = await api<Err>(server, 'GET', '/conversations', undefined, t);
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('mfa_enrolment_required');
    expect((await api(server, 'GET', '/me', undefined, t)).status).toBe(200);
    // A socket with that session is refused with the reason.
    const refused = new SocketClient(server.wsUrl);
    await refused.opened;
    await expect(refused.request('auth', { token: t })).rejects.toMatchObject({ error: { code: 'mfa_enrolment_required' } });
    await refused.closed;

    // The session from before the requirement is held at its next refresh, and its open socket
    // at its next request.
    const refreshed = await api<AuthResult>(server, 'POST', '/auth/refresh', { refresh_token: member.refresh });
    expect(refreshed.body.must_enrol_2fa).toBe(true);
    expect((await api<Err>(server, 'GET', '/conversations', undefined, refreshed.body.access_token)).body.error.code).toBe('mfa_enrolment_required');
    await expect(before.request('conversation.list', {})).rejects.toMatchObject({ error: { code: 'mfa_enrolment_required' } });
    await before.closed;

    // The API token made before is a script's credential: unaffected.
    expect((await api(server, 'GET', '/conversations', undefined, token)).status).toBe(200);

    const setup = await api<TwoFactorSetup>(server, 'POST', '/me/2fa/setup', undefined, t);
    expect(setup.status).toBe(200);
    const on = await api<RecoveryCodes>(server, 'POST', '/me/2fa/enable', { code: await generate({ secret: setup.body.secret }) }, t);
    expect(on.status).toBe(200);
    expect((await api(server, 'GET', '/conversations', undefined, t)).status).toBe(200);
    const socket = await SocketClient.connect(server, t);
    await socket.close();
    // And it cannot be turned off while the workspace requires it.
    const off = await api<Err>(server, 'POST', '/me/2fa/disable', { recovery_code: on.body.recovery_codes[0] }, t);
    expect(off.status).toBe(403);
  } finally {
    await setRequired(false);
  }
});

test('lifting the requirement frees the sessions it held', async () => {
  const member = await registerUser(server);
  await setRequired(true);
  const held = await login(member.user.username);
  expect(held.body.must_enrol_2fa).toBe(true);
  await setRequired(false);
  expect((await api(server, 'GET', '/conversations', undefined, held.body.access_token)).status).toBe(200);
  expect((await login(member.user.username)).body.must_enrol_2fa).toBe(false);
});
