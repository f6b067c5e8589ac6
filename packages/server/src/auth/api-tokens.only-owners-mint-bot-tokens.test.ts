/**
 * A bot's tokens belong to its owner: a workspace admin cannot mint one (it would read every
 * private conversation the bot is in), may revoke any (audited), and the owner sees them all.
 */
import { expect, test } from 'vitest';
import type { ApiToken, User } from '@parley/protocol';
import { api, createConversation, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server: TestServer;
let owner: TestUser;
serverPerFile((s, o) => ((server = s), (owner = o)));

async function promotedAdmin(): Promise<TestUser> {
  const u = await registerUser(server);
  expect((await api(server, 'PATCH', `/admin/users/${u.user.id}`, { role: 'admin' }, owner.token)).status).toBe(200);
  return u;
}

const mint = (token: string, userId?: string) => api<ApiToken & { token: string }>(server, 'POST', '/tokens', { name: 'ci', ...(userId ? { user_id: userId } : {}) }, token);

test('a workspace admin cannot mint a token for somebody else’s bot, nor read the private conversations it is in', async () => {
  const alice = await registerUser(server);
  const bot = await api<User>(server, 'POST', '/bots', { username: `bot${Date.now()}a` }, alice.token);
  const secret = await createConversation(server, alice.token, { kind: 'group', member_ids: [bot.body.id] });
  const admin = await promotedAdmin();
  const res = await mint(admin.token, bot.body.id);
  expect(res.status).toBe(404);
  // The owner still can.
  expect((await mint(alice.token, bot.body.id)).status).toBe(201);
  expect((await api(server, 'GET', `/conversations/${secret.id}/messages`, undefined, admin.token)).status).toBe(404);
});

test('the owner sees every live token of their bots; an admin may revoke one, and the audit log says who did', async () => {
  const alice = await registerUser(server);
  const bot = await api<User>(server, 'POST', '/bots', { username: `bot${Date.now()}b` }, alice.token);
  const tok = await mint(alice.token, bot.body.id);
  const admin = await promotedAdmin();
  expect((await api(server, 'DELETE', `/tokens/${tok.body.id}`, undefined, admin.token)).status).toBe(204);
  expect((await api(server, 'GET', '/me', undefined, tok.body.token)).status).toBe(401);
  const listed = await api<{ tokens: ApiToken[] }>(server, 'GET', '/tokens', undefined, alice.token);
  expect(listed.body.tokens.map((t) => t.id)).not.toContain(tok.body.id);
  const audit = await api<{ entries: { action: string; target: string; actor_id: string }[] }>(server, 'GET', '/admin/audit', undefined, admin.token);
  expect(audit.body.entries.find((e) => e.action === 'token.revoked' && e.target === tok.body.id)?.actor_id).toBe(admin.user.id);

  // A plain member can neither see nor revoke someone else's bot token.
  const second = await mint(alice.token, bot.body.id);
  const mallory = await registerUser(server);
  expect((await api(server, 'DELETE', `/tokens/${second.body.id}`, undefined, mallory.token)).status).toBe(404);
  const mine = await api<{ tokens: ApiToken[] }>(server, 'GET', '/tokens', undefined, mallory.token);
  expect(mine.body.tokens.map((t) => t.id)).not.toContain(second.body.id);
  expect((await api<{ tokens: ApiToken[] }>(server, 'GET', '/tokens', undefined, alice.token)).body.tokens.map((t) => t.id)).toContain(second.body.id);
});

test('logging out with an API token revokes that token; it does not answer 204 and go on working', async () => {
  const alice = await registerUser(server);
  const pat = await mint(alice.token);
  expect((await api(server, 'GET', '/me', undefined, pat.body.token)).status).toBe(200);
  expect((await api(server, 'POST', '/auth/logout', undefined, pat.body.token)).status).toBe(204);
  const after = await api<{ error: { code: string } }>(server, 'GET', '/me', undefined, pat.body.token);
  expect(after.status).toBe(401);
  expect(after.body.error.code).toBe('session_revoked');
  // The browser session that made the token is untouched.
  expect((await api(server, 'GET', '/me', undefined, alice.token)).status).toBe(200);
});
