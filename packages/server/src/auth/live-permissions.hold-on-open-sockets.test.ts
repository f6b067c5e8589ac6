/**
 * A socket acts with the account's permissions as they are now, not as they were at `auth`:
 * demotions, deactivation and a bot owner's fate reach sockets that were opened before, on one
 * node and across two nodes (PostgreSQL + NATS; skipped in one line without them).
 */
import crypto from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import type { ApiToken, Message, MessageCreatedEvent, User } from '@parley/protocol';
import { CLUSTER_NEEDS, Cluster, clusterSkipped } from '../testing/cluster.js';
import { SocketClient, api, createConversation, errorCode, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** `admin` is where admins make changes; `sock` is where the affected user's sockets live. */
interface Topology {
  admin: TestServer;
  sock: TestServer;
  owner: TestUser;
}

async function oneNode(): Promise<Topology> {
  const s = await startServer();
  cleanups.push(() => s.stop());
  return { admin: s, sock: s, owner: await registerUser(s) };
}

async function twoNodes(): Promise<Topology> {
  const cluster = new Cluster('live');
  cleanups.push(() => cluster.stop());
  const [n1, n2] = [await cluster.node('n1'), await cluster.node('n2')];
  return { admin: n1, sock: n2, owner: await registerUser(n1) };
}

async function connect(s: TestServer, token: string): Promise<SocketClient> {
  const c = await SocketClient.connect(s, token);
  cleanups.push(() => c.close());
  return c;
}

const setUser = (t: Topology, userId: string, body: { role?: User['role']; deactivated?: boolean }) => api<User>(t.admin, 'PATCH', `/admin/users/${userId}`, body, t.owner.token);

async function apiToken(s: TestServer, token: string, userId?: string): Promise<string> {
  const res = await api<ApiToken & { token: string }>(s, 'POST', '/tokens', { name: 'script', ...(userId ? { user_id: userId } : {}) }, token);
  expect(res.status).toBe(201);
  return res.body.token;
}

const send = (s: TestServer, token: string, convId: string, body: string) =>
  api<{ id: string; seq: number }>(s, 'POST', `/conversations/${convId}/messages`, { client_msg_id: crypto.randomUUID(), body }, token);

function scenarios(name: string, topology: () => Promise<Topology>) {
  test(`${name}: a user deactivated by an admin loses the socket opened with their API token; it hears nothing more and the token is refused`, async () => {
    const t = await topology();
    const [alice, bob] = [await registerUser(t.admin), await registerUser(t.admin)];
    const pat = await apiToken(t.admin, alice.token);
    const group = await createConversation(t.admin, bob.token, { kind: 'group', member_ids: [alice.user.id] });
    const socket = await connect(t.sock, pat);
    const first = await send(t.admin, bob.token, group.id, 'before');
    await socket.waitFor((e) => e.type === 'message.created' && e.message.id === first.body.id);

    expect((await setUser(t, alice.user.id, { deactivated: true })).status).toBe(200);
    const closed = await socket.closed;
    expect(closed.code).toBe(4003);
    await send(t.admin, bob.token, group.id, 'after');
    expect(socket.events.filter((e) => e.type === 'message.created').map((e) => (e as MessageCreatedEvent).message.body)).toEqual(['before']);
    expect((await api(t.sock, 'GET', `/conversations/${group.id}/messages`, undefined, pat)).status).toBe(401);
    const again = new SocketClient(t.sock.wsUrl);
    await again.opened;
    expect(await errorCode(again.request('auth', { token: pat }))).toBe('invalid_token');
    await again.close();
  });

  test(`${name}: an admin demoted to member loses admin powers on the socket already open`, async () => {
    const t = await topology();
    const [ada, bob] = [await registerUser(t.admin), await registerUser(t.admin)];
    expect((await setUser(t, ada.user.id, { role: 'admin' })).status).toBe(200);
    const channel = await createConversation(t.admin, bob.token, { kind: 'channel', name: `ops-${crypto.randomUUID().slice(0, 8)}`, visibility: 'public' });
    expect((await api(t.admin, 'POST', `/conversations/${channel.id}/join`, undefined, ada.token)).status).toBe(200);
    const [m1, m2] = [await send(t.admin, bob.token, channel.id, 'one'), await send(t.admin, bob.token, channel.id, 'two')];
    const socket = await connect(t.sock, ada.token);
    // As a workspace admin she may recall anyone's message…
    expect((await socket.request('message.recall', { message_id: m1.body.id })).recalled).toBe(true);

    expect((await setUser(t, ada.user.id, { role: 'member' })).status).toBe(200);
    // …and from the very next request on, as a member, she may not.
    expect(await errorCode(socket.request('message.recall', { message_id: m2.body.id }))).toBe('forbidden');
    const still = await api<Message>(t.admin, 'GET', `/messages/${m2.body.id}`, undefined, bob.token);
    expect(still.body.body).toBe('two');
  });

  test(`${name}: a member demoted to guest stops seeing public channels they are not in, on the socket already open`, async () => {
    const t = await topology();
    const [carol, bob] = [await registerUser(t.admin), await registerUser(t.admin)];
    const channel = await createConversation(t.admin, bob.token, { kind: 'channel', name: `pub-${crypto.randomUUID().slice(0, 8)}`, visibility: 'public' });
    const socket = await connect(t.sock, carol.token);
    expect((await socket.request('conversation.get', { conv_id: channel.id })).id).toBe(channel.id);

    expect((await setUser(t, carol.user.id, { role: 'guest' })).status).toBe(200);
    expect(await errorCode(socket.request('conversation.get', { conv_id: channel.id }))).toBe('not_found');
    expect(await errorCode(socket.request('history', { conv_id: channel.id }))).toBe('not_found');
  });

  test(`${name}: a bot acts with no more rights than its owner has now, and not at all once the owner is deactivated`, async () => {
    const t = await topology();
    const [dave, bob] = [await registerUser(t.admin), await registerUser(t.admin)];
    const bot = await api<User>(t.admin, 'POST', '/bots', { username: `bot${crypto.randomUUID().slice(0, 8)}` }, dave.token);
    const pat = await apiToken(t.admin, dave.token, bot.body.id);
    const channel = await createConversation(t.admin, bob.token, { kind: 'channel', name: `pub-${crypto.randomUUID().slice(0, 8)}`, visibility: 'public' });
    const socket = await connect(t.sock, pat);
    expect((await socket.request('conversation.get', { conv_id: channel.id })).id).toBe(channel.id);

    expect((await setUser(t, dave.user.id, { role: 'guest' })).status).toBe(200);
    // Through the bot, the (now guest) owner finds no public channel and creates nothing.
    expect(await errorCode(socket.request('conversation.get', { conv_id: channel.id }))).toBe('not_found');
    const browse = await api<{ conversations: unknown[] }>(t.sock, 'GET', '/channels', undefined, pat);
    expect(browse.body.conversations).toEqual([]);
    expect((await api(t.sock, 'POST', `/conversations/${channel.id}/join`, undefined, pat)).status).toBe(404);
    expect((await api(t.sock, 'POST', '/conversations', { kind: 'channel', name: `b-${crypto.randomUUID().slice(0, 8)}`, visibility: 'public' }, pat)).status).toBe(403);
    expect((await api(t.sock, 'POST', '/bots', { username: `bot${crypto.randomUUID().slice(0, 8)}` }, pat)).status).toBe(403);

    expect((await setUser(t, dave.user.id, { deactivated: true })).status).toBe(200);
    expect((await socket.closed).code).toBe(4003);
    const me = await api<{ error: { code: string } }>(t.sock, 'GET', '/me', undefined, pat);
    expect(me.status).toBe(401);
  });
}

describe('one node', () => {
  scenarios('one node', oneNode);
});

describe.skipIf(clusterSkipped)(`two nodes, PostgreSQL + NATS ${CLUSTER_NEEDS}`, () => {
  scenarios('two nodes', twoNodes);
});
