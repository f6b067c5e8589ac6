import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorCode, InviteList, InviteSummary } from '@parley/protocol';
import { api, registerUser, startServer, type ApiResult, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;
let owner: TestUser;
let admin: TestUser;
let member: { access_token: string };
/** Moves the server's clock on, to let invites expire. */
let skewMs = 0;

function expectError(res: ApiResult, status: number, code: ErrorCode): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
}

const signUp = (username: string, invite_code?: string) =>
  api<{ access_token: string; user: { id: string } }>(server, 'POST', '/auth/register', {
    username,
    password: 'correct horse battery',
    ...(invite_code === undefined ? {} : { invite_code }),
  });

const create = async (token: string, body: Record<string, unknown> = {}) => {
  const r = await api<{ id: string; code: string; max_uses: number }>(server, 'POST', '/invites', body, token);
  expect(r.status).toBe(201);
  return r.body;
};

const list = async (token = owner.token): Promise<InviteSummary[]> => {
  const r = await api<InviteList>(server, 'GET', '/invites', undefined, token);
  expect(r.status).toBe(200);
  return r.body.invites;
};

beforeAll(async () => {
  server = await startServer({ registration: 'invite' }, undefined, { now: () => Date.now() + skewMs });
  owner = await registerUser(server, 'owner');
  const inv = await create(owner.token);
  const a = await signUp('admin.one', inv.code);
  await api(server, 'PATCH', `/admin/users/${a.body.user.id}`, { role: 'admin' }, owner.token);
  admin = { ...owner, token: (await api<{ access_token: string }>(server, 'POST', '/auth/login', { username: 'admin.one', password: 'correct horse battery' })).body.access_token };
  member = (await signUp('plain.member', (await create(owner.token)).code)).body;
});
afterAll(async () => {
  await server.stop();
});

test('an invite link admits as many people as its max_uses, then no one more', async () => {
  const link = await create(admin.token, { max_uses: 2, expires_in_hours: 24 });
  expect(link.max_uses).toBe(2);
  expect((await signUp('link.one', link.code)).status).toBe(201);
  expect((await signUp('link.two', link.code)).status).toBe(201);
  expectError(await signUp('link.three', link.code), 403, 'registration_closed');

  const listed = (await list()).find((i) => i.id === link.id);
  expect(listed).toMatchObject({ state: 'used', uses: 2, max_uses: 2, created_by: { username: 'admin.one' } });
  expect(listed?.used_by.map((u) => u.username)).toEqual(['link.one', 'link.two']);
});

test('two sign-ups racing for the last use of a link: exactly one gets in', async () => {
  const link = await create(owner.token, { max_uses: 1 });
  const results = await Promise.all([signUp('race.one', link.code), signUp('race.two', link.code), signUp('race.three', link.code)]);
  expect(results.map((r) => r.status).sort()).toEqual([201, 403, 403]);
});

test('the list shows open invites with their creator, time and last characters, never a code', async () => {
  const open = await create(owner.token, { expires_in_hours: 5 });
  const listed = (await list(admin.token)).find((i) => i.id === open.id);
  expect(listed).toMatchObject({ state: 'active', uses: 0, max_uses: 1, hint: open.code.slice(-4), created_by: { username: 'owner' }, used_by: [], revoked_at: null });
  expect(Date.parse(listed!.expires_at) - Date.parse(listed!.created_at)).toBe(5 * 3_600_000);
  expect(JSON.stringify(await list())).not.toContain(open.code);
});

test('a revoked invite cannot register anyone, whether revoked by its id or by its code, and the revoke is audited', async () => {
  const byId = await create(owner.token, { max_uses: 5 });
  const r = await api(server, 'DELETE', `/invites/${byId.id}`, undefined, admin.token);
  expect(r.status).toBe(204);
  expectError(await signUp('revoked.one', byId.code), 403, 'registration_closed');
  // Revoked and unused: it leaves the list.
  expect((await list()).some((i) => i.id === byId.id)).toBe(false);

  const byCode = await create(owner.token);
  expect((await api(server, 'DELETE', `/invites/${encodeURIComponent(byCode.code)}`, undefined, owner.token)).status).toBe(204);
  expectError(await signUp('revoked.two', byCode.code), 403, 'registration_closed');

  const audit = await api<{ entries: { action: string; target: string }[] }>(server, 'GET', '/admin/audit?action=invite.revoked', undefined, owner.token);
  expect(audit.body.entries.map((e) => e.target).sort()).toEqual([byId.id, byCode.id].sort());
  expectError(await api(server, 'DELETE', '/invites/no-such-invite', undefined, owner.token), 404, 'not_found');
});

test('a used link that is revoked stays listed with who used it, and admits no one more', async () => {
  const link = await create(owner.token, { max_uses: 3 });
  expect((await signUp('before.revoke', link.code)).status).toBe(201);
  await api(server, 'DELETE', `/invites/${link.id}`, undefined, owner.token);
  expectError(await signUp('after.revoke', link.code), 403, 'registration_closed');
  expect((await list()).find((i) => i.id === link.id)).toMatchObject({ state: 'revoked', uses: 1, used_by: [{ username: 'before.revoke' }] });
});

test('members cannot list, create or revoke invites (403), and nobody signed out can (401)', async () => {
  const inv = await create(owner.token);
  expectError(await api(server, 'GET', '/invites', undefined, member.access_token), 403, 'forbidden');
  expectError(await api(server, 'POST', '/invites', { max_uses: 10 }, member.access_token), 403, 'forbidden');
  expectError(await api(server, 'DELETE', `/invites/${inv.id}`, undefined, member.access_token), 403, 'forbidden');
  expectError(await api(server, 'GET', '/invites', undefined), 401, 'unauthenticated');
  expectError(await api(server, 'DELETE', `/invites/${inv.id}`, undefined), 401, 'unauthenticated');
  // The member's attempt did not revoke it.
  expect((await signUp('still.works', inv.code)).status).toBe(201);
});

// Last: the clock only moves forward from here.
test('an expired invite cannot register anyone, and is listed as expired', async () => {
  const inv = await create(owner.token, { expires_in_hours: 1, max_uses: 4 });
  // Before it expires it works, so the refusal below is the expiry's.
  expect((await signUp('in.time', inv.code)).status).toBe(201);
  skewMs = 2 * 3_600_000;
  expectError(await signUp('too.late', inv.code), 403, 'registration_closed');
  const again = await api<{ access_token: string }>(server, 'POST', '/auth/login', { username: 'owner', password: 'correct horse battery' });
  expect((await list(again.body.access_token)).find((i) => i.id === inv.id)).toMatchObject({ state: 'expired', uses: 1 });
});
