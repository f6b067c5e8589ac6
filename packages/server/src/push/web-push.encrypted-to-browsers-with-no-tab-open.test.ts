/**
 * Web Push at the protocol level, against a push endpoint this test runs: what arrives there is
 * encrypted for the browser's keys (RFC 8291, decrypted here with http_ece as a browser would),
 * signed with the server's VAPID key (RFC 8292, verified with jose), and says what a person
 * needs: who, where, the first line — never a burn-after-reading message's text. A browser is
 * pushed to only while no tab of its user is open; in channels only for mentions; a subscription
 * the push service forgot (410) is removed.
 */
import { randomUUID, type ECDH } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PushSettings, PushSubscription } from '@parley/protocol';
import { api, createConversation, registerUser, SocketClient, sleep, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { browserKeys, LocalPushService, type Pushed } from '../testing/push-service.js';

let server: TestServer;
const pushService = new LocalPushService();
const sockets: SocketClient[] = [];

beforeAll(async () => {
  await pushService.start();
  server = await startServer({ outgoingAllowPrivate: true, burnMinMs: 1_000 });
  await registerUser(server);
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await server.stop();
  await pushService.close();
});

async function subscribe(u: TestUser, path: string) {
  const keys = browserKeys();
  const res = await api<PushSubscription>(
    server,
    'POST',
    '/me/push/subscriptions',
    { endpoint: `${pushService.url}${path}`, keys: { p256dh: keys.p256dh, auth: keys.auth }, expirationTime: null },
    u.token,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...keys, id: res.body.id };
}

const send = async (u: TestUser, convId: string, body: string, extra: Record<string, unknown> = {}) => {
  const r = await api<{ id: string }>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body, ...extra }, u.token);
  expect(r.status).toBe(201);
  return r.body.id;
};

/** The payload as the browser's service worker reads it, after checking the VAPID signature. */
const open = (p: Pushed, keys: { ecdh: ECDH; auth: string }, vapidPublicKey: string) => pushService.open(p, keys, vapidPublicKey);

describe('web push', () => {
  test('a DM reaches the browser of a user with no tab open, encrypted and signed; a burn message says only that it burns; previews off says only who', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const path = `/push/${randomUUID()}`;
    const keys = await subscribe(bob, path);
    const settings = (await api<PushSettings>(server, 'GET', '/me/push', undefined, bob.token)).body;
    expect(settings.previews).toBe(true);
    expect(settings.subscriptions).toEqual([expect.objectContaining({ id: keys.id, service: pushService.url, current: true })]);
    expect(Buffer.from(settings.vapid_public_key, 'base64url')).toHaveLength(65);

    let seen = pushService.got.length;
    const id = await send(alice, dm.id, 'lunch at noon?\nthe usual place');
    const first = await open(await pushService.next(path, seen), keys, settings.vapid_public_key);
    expect(first).toMatchObject({ type: 'message', conv_id: dm.id, message_id: id, title: alice.user.display_name, body: 'lunch at noon?', kind: 'preview', mention: false, url: `/c/${dm.id}` });

    const SECRET = `hunter2-${randomUUID()}`;
    seen = pushService.got.length;
    const burnId = await send(alice, dm.id, `the vault code is ${SECRET}`, { burn_after: '1m' });
    const pushed = await pushService.next(path, seen);
    expect(pushed.body.includes(Buffer.from(SECRET))).toBe(false);
    const burn = await open(pushed, keys, settings.vapid_public_key);
    expect(burn).toMatchObject({ message_id: burnId, body: 'a message that burns after reading', kind: 'burn' });
    expect(JSON.stringify(burn)).not.toContain(SECRET);

    expect((await api(server, 'PATCH', '/me/push', { previews: false }, bob.token)).status).toBe(200);
    seen = pushService.got.length;
    await send(alice, dm.id, 'the quarterly numbers are in');
    const hidden = await open(await pushService.next(path, seen), keys, settings.vapid_public_key);
    expect(hidden).toMatchObject({ kind: 'hidden', body: 'sent a message', title: alice.user.display_name });
    expect(JSON.stringify(hidden)).not.toContain('quarterly');
  });

  test('nothing is pushed while a tab is open, in a channel only a mention is, and a subscription the push service forgot (410) is removed', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const channel = await createConversation(server, alice.token, { kind: 'channel', name: `push-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: [bob.user.id] });
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const path = `/push/${randomUUID()}`;
    const keys = await subscribe(bob, path);
    const { vapid_public_key } = (await api<PushSettings>(server, 'GET', '/me/push', undefined, bob.token)).body;

    // A channel message that does not name him: nothing; one that does: pushed, as a mention.
    let seen = pushService.got.length;
    await send(alice, channel.id, 'deploy is green');
    const mentionId = await send(alice, channel.id, `@${bob.user.username} can you check the logs?`);
    const p = await open(await pushService.next(path, seen), keys, vapid_public_key);
    expect(p).toMatchObject({ message_id: mentionId, mention: true, title: `${alice.user.display_name} in #${channel.name}` });
    await sleep(1_500);
    expect(pushService.got.slice(seen).filter((x) => x.path === path)).toHaveLength(1);

    // His tab is open: the socket shows it; no push.
    const tab = await SocketClient.connect(server, bob.token);
    sockets.push(tab);
    seen = pushService.got.length;
    const whileOpen = await send(alice, dm.id, 'are you there?');
    await tab.waitFor((e) => e.type === 'message.created' && e.message.id === whileOpen);
    await sleep(2_000);
    expect(pushService.got.slice(seen).filter((x) => x.path === path)).toEqual([]);
    await tab.close();
    sockets.splice(sockets.indexOf(tab), 1);
    await sleep(300);

    // The browser unsubscribed: the push service answers 410, and the subscription goes.
    pushService.status.set(path, 410);
    seen = pushService.got.length;
    await send(alice, dm.id, 'ping');
    await pushService.next(path, seen);
    for (let i = 0; i < 40; i++) {
      if ((await api<PushSettings>(server, 'GET', '/me/push', undefined, bob.token)).body.subscriptions.length === 0) break;
      await sleep(100);
    }
    expect((await api<PushSettings>(server, 'GET', '/me/push', undefined, bob.token)).body.subscriptions).toEqual([]);
    seen = pushService.got.length;
    await send(alice, dm.id, 'ping again');
    await sleep(1_500);
    expect(pushService.got.slice(seen).filter((x) => x.path === path)).toEqual([]);
  });

  test('a subscription must name a push service and real keys; one user cannot remove another’s', async () => {
    const strict = await startServer();
    try {
      const carol = await registerUser(strict);
      const dave = await registerUser(strict);
      const k = browserKeys();
      for (const [body, field] of [
        [{ endpoint: 'http://127.0.0.1:9/x', keys: { p256dh: k.p256dh, auth: k.auth } }, '/endpoint'],
        [{ endpoint: 'https://10.0.0.1/x', keys: { p256dh: k.p256dh, auth: k.auth } }, '/endpoint'],
        [{ endpoint: 'https://push.example.com/x', keys: { p256dh: 'A'.repeat(86), auth: k.auth } }, '/keys/p256dh'],
        [{ endpoint: 'https://push.example.com/x', keys: { p256dh: k.p256dh, auth: 'short' } }, '/keys/auth'],
      ] as const) {
        const r = await api<{ error: { code: string; field?: string } }>(strict, 'POST', '/me/push/subscriptions', body, carol.token);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.error.field).toContain(field);
      }
      const made = await api<PushSubscription>(strict, 'POST', '/me/push/subscriptions', { endpoint: 'https://push.example.com/carol', keys: { p256dh: k.p256dh, auth: k.auth } }, carol.token);
      expect(made.status).toBe(201);
      expect((await api(strict, 'DELETE', `/me/push/subscriptions/${made.body.id}`, undefined, dave.token)).status).toBe(404);
      expect((await api(strict, 'DELETE', `/me/push/subscriptions/${made.body.id}`, undefined, carol.token)).status).toBe(204);
    } finally {
      await strict.stop();
    }
  });
});
