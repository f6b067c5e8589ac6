import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AdminIntegration, AdminIntegrationList, ApiToken, CreatedIncomingWebhook, CreatedOutgoingWebhook, CreatedSlashCommand, User } from '@parley/protocol';
import { api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

// A receiver that refuses every delivery (410): an outgoing webhook pointed at it piles up dead deliveries.
const refuser = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(410).end());
});
const listening = new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));

let server: TestServer;
let owner: TestUser;
let admin: TestUser;
let alice: TestUser;
let member: TestUser;
const tag = randomUUID().slice(0, 6);
beforeAll(async () => {
  await listening;
  server = await startServer({ outgoingAllowPrivate: true, outgoingRetryBaseMs: 20, outgoingTimeoutMs: 2_000 });
  owner = await registerUser(server);
  admin = await registerUser(server);
  alice = await registerUser(server);
  member = await registerUser(server);
  expect((await api<User>(server, 'PATCH', `/admin/users/${admin.user.id}`, { role: 'admin' }, owner.token)).status).toBe(200);
});
afterAll(async () => {
  await server.stop();
  await new Promise<void>((resolve) => refuser.close(() => resolve()));
});

const list = async (who: TestUser, q = '') => {
  const res = await api<AdminIntegrationList>(server, 'GET', `/admin/integrations${q}`, undefined, who.token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.integrations;
};
const byId = (all: AdminIntegration[], id: string) => all.find((i) => i.id === id);

test('an admin sees every webhook, command and bot with its conversation, maker and last use, and none of their secrets', async () => {
  const open = await createConversation(server, alice.token, { kind: 'channel', name: `open-${tag}`, visibility: 'public', member_ids: [] });
  const hidden = await createConversation(server, alice.token, { kind: 'channel', name: `hidden-${tag}`, visibility: 'private', member_ids: [] });
  const incoming = await api<CreatedIncomingWebhook>(server, 'POST', `/conversations/${open.id}/webhooks`, { name: `CI ${tag}` }, alice.token);
  expect(incoming.status).toBe(201);
  const outgoing = await api<CreatedOutgoingWebhook>(
    server,
    'POST',
    `/conversations/${hidden.id}/outgoing-webhooks`,
    { name: `Relay ${tag}`, url: `http://127.0.0.1:${(refuser.address() as AddressInfo).port}/in`, events: ['message'] },
    alice.token,
  );
  expect(outgoing.status, JSON.stringify(outgoing.body)).toBe(201);
  const command = await api<CreatedSlashCommand>(server, 'POST', '/commands', { command: `ship${tag}`, url: 'https://example.com/ship' }, owner.token);
  expect(command.status).toBe(201);
  const bot = await api<User>(server, 'POST', '/bots', { username: `bot${tag}` }, alice.token);
  expect(bot.status).toBe(201);
  const token = await api<ApiToken & { token: string }>(server, 'POST', '/tokens', { name: 'deploys', user_id: bot.body.id }, alice.token);
  expect(token.status).toBe(201);

  // Each acts once: the hook posts, the bot reads, the outgoing hook's delivery is refused.
  expect((await fetch(incoming.body.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'build green' }) })).status).toBe(200);
  expect((await api(server, 'GET', '/me', undefined, token.body.token)).status).toBe(200);
  expect((await api(server, 'POST', `/conversations/${hidden.id}/messages`, { client_msg_id: randomUUID(), body: `the deploy key is in the vault ${tag}` }, alice.token)).status).toBe(201);
  await expect.poll(async () => byId(await list(admin), outgoing.body.id)?.dead_deliveries, { timeout: 15_000 }).toBe(1);

  const all = await list(admin);
  expect(byId(all, incoming.body.id)).toMatchObject({
    type: 'incoming_webhook',
    name: `CI ${tag}`,
    detail: 'slack',
    conversation: { id: open.id, name: `open-${tag}`, kind: 'channel', visibility: 'public', archived: false },
    created_by: { id: alice.user.id, username: alice.user.username },
    dead_deliveries: 0,
    can_remove: true,
  });
  expect(byId(all, incoming.body.id)!.last_used_at).not.toBeNull();
  // A private channel the admin is not in: listed (name, never messages), not theirs to remove.
  expect(byId(all, outgoing.body.id)).toMatchObject({
    type: 'outgoing_webhook',
    detail: `http://127.0.0.1:${(refuser.address() as AddressInfo).port}/in`,
    conversation: { id: hidden.id, visibility: 'private' },
    last_used_at: null,
    can_remove: false,
  });
  expect(byId(all, command.body.id)).toMatchObject({
    type: 'slash_command',
    name: `/ship${tag}`,
    detail: 'https://example.com/ship',
    conversation: null,
    created_by: { id: owner.user.id },
    last_used_at: null,
    can_remove: true,
  });
  expect(byId(all, bot.body.id)).toMatchObject({ type: 'bot', detail: `@bot${tag}`, created_by: { id: alice.user.id }, can_remove: true });
  expect(byId(all, bot.body.id)!.last_used_at).not.toBeNull();
  // The hooks' own bots are not listed as bots.
  expect(all.some((i) => i.id === incoming.body.bot_user_id || i.id === outgoing.body.bot_user_id)).toBe(false);

  const text = JSON.stringify(all);
  for (const secret of [incoming.body.url.split('/').pop()!, outgoing.body.secret, command.body.secret, token.body.token]) expect(text).not.toContain(secret);
  expect(text).not.toContain('vault');

  // Filtered by type; an unknown type is a typed 400.
  const onlyBots = await list(admin, '?type=bot');
  expect(new Set(onlyBots.map((i) => i.type))).toEqual(new Set(['bot']));
  expect(onlyBots.map((i) => i.id)).toContain(bot.body.id);
  expect((await api(server, 'GET', '/admin/integrations?type=robots', undefined, admin.token)).status).toBe(400);
});

test('what the list says may be removed, its own route removes; what it says may not, that route refuses', async () => {
  const hidden = await createConversation(server, alice.token, { kind: 'channel', name: `locked-${tag}`, visibility: 'private', member_ids: [] });
  const open = await createConversation(server, alice.token, { kind: 'channel', name: `lobby-${tag}`, visibility: 'public', member_ids: [] });
  const inHidden = await api<CreatedIncomingWebhook>(server, 'POST', `/conversations/${hidden.id}/webhooks`, { name: `Locked ${tag}` }, alice.token);
  const inOpen = await api<CreatedIncomingWebhook>(server, 'POST', `/conversations/${open.id}/webhooks`, { name: `Lobby ${tag}` }, alice.token);
  const bot = await api<User>(server, 'POST', '/bots', { username: `gone${tag}` }, alice.token);
  const before = await list(admin);
  expect(byId(before, inHidden.body.id)!.can_remove).toBe(false);
  expect(byId(before, inOpen.body.id)!.can_remove).toBe(true);

  expect((await api(server, 'DELETE', `/webhooks/${inHidden.body.id}`, undefined, admin.token)).status).toBe(404);
  expect((await api(server, 'DELETE', `/webhooks/${inOpen.body.id}`, undefined, admin.token)).status).toBe(204);
  expect((await api(server, 'DELETE', `/bots/${bot.body.id}`, undefined, admin.token)).status).toBe(204);

  const after = await list(admin);
  expect(byId(after, inOpen.body.id)).toBeUndefined();
  expect(byId(after, bot.body.id)).toBeUndefined();
  expect(byId(after, inHidden.body.id)).toBeDefined();
  // Its creator, an owner of the private channel, may.
  expect((await api(server, 'DELETE', `/webhooks/${inHidden.body.id}`, undefined, alice.token)).status).toBe(204);
  expect(byId(await list(admin), inHidden.body.id)).toBeUndefined();
});

test('a member is refused the list, and sees none of it through it', async () => {
  const res = await api(server, 'GET', '/admin/integrations', undefined, member.token);
  expect(res.status).toBe(403);
  expect(res.body).toMatchObject({ error: { code: 'forbidden' } });
});
