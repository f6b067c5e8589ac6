/**
 * Web Push follows what each member chose, checked at the push endpoint this test runs (each
 * payload decrypted as the browser would): Do Not Disturb silences a DM until it ends and a
 * message after the end is pushed again; `nothing` silences even a mention; `mentions` silences a
 * plain message but not a mention; `all` in a channel pushes a plain message. And nobody can
 * choose any of it for someone else.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Conversation, NotificationSettings, PushPayload, PushSettings, PushSubscription } from '@parley/protocol';
import { api, createConversation, registerUser, sleep, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { browserKeys, LocalPushService } from '../testing/push-service.js';

let server: TestServer;
const pushService = new LocalPushService();

beforeAll(async () => {
  await pushService.start();
  server = await startServer({ outgoingAllowPrivate: true });
  await registerUser(server);
});
afterAll(async () => {
  await server.stop();
  await pushService.close();
});

/** One browser of `u`, subscribed at a path of its own; `pushed()` decrypts everything it received so far. */
async function browserOf(u: TestUser) {
  const keys = browserKeys();
  const path = `/push/${randomUUID()}`;
  const res = await api<PushSubscription>(server, 'POST', '/me/push/subscriptions', { endpoint: `${pushService.url}${path}`, keys: { p256dh: keys.p256dh, auth: keys.auth } }, u.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const { vapid_public_key } = (await api<PushSettings>(server, 'GET', '/me/push', undefined, u.token)).body;
  return {
    /** Waits for the push of message `id` (failing after `ms`). */
    async waitFor(id: string, ms = 8_000): Promise<PushPayload> {
      const until = Date.now() + ms;
      for (;;) {
        const hit = (await this.pushed()).find((p) => p.message_id === id);
        if (hit) return hit;
        if (Date.now() > until) throw new Error(`message ${id} was not pushed within ${ms} ms`);
        await sleep(50);
      }
    },
    async pushed(): Promise<PushPayload[]> {
      return Promise.all(pushService.got.filter((p) => p.path === path).map((p) => pushService.open(p, keys, vapid_public_key)));
    },
  };
}

const send = async (u: TestUser, convId: string, body: string) => {
  const r = await api<{ id: string }>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body }, u.token);
  expect(r.status).toBe(201);
  return r.body.id;
};

/** Alice and Bob in a DM, Bob with a subscribed browser that a first DM from Alice has reached. */
async function dmPushedToBob() {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const browser = await browserOf(bob);
  await browser.waitFor(await send(alice, dm.id, 'before'));
  return { alice, bob, dm, browser };
}

const setLevel = async (u: TestUser, convId: string, level: string) => {
  const r = await api<Conversation>(server, 'PUT', `/conversations/${convId}/notify`, { level }, u.token);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};

describe('web push and what the member chose', () => {
  test('Do Not Disturb silences a DM while it lasts; a DM after it ended is pushed, the one during it never is', async () => {
    // A first DM arrives: the path works, so silence later means something.
    const { alice, bob, dm, browser } = await dmPushedToBob();

    const until = Date.now() + 2_500;
    const set = await api<NotificationSettings>(server, 'PATCH', '/me/notifications', { dnd_until: new Date(until).toISOString() }, bob.token);
    expect(set.status).toBe(200);
    expect(Date.parse(set.body.dnd_until!)).toBe(until);
    const during = await send(alice, dm.id, 'during do not disturb');

    // It ends by itself; then a DM is pushed, and the one sent during it is not (not even late).
    await sleep(Math.max(0, until - Date.now()) + 300);
    expect((await api<NotificationSettings>(server, 'GET', '/me/notifications', undefined, bob.token)).body.dnd_until).toBeNull();
    const after = await send(alice, dm.id, 'after do not disturb');
    expect(await browser.waitFor(after)).toMatchObject({ conv_id: dm.id, body: 'after do not disturb' });
    await sleep(500);
    expect((await browser.pushed()).map((p) => p.message_id)).not.toContain(during);

    // Turned off before its end: pushed again at once.
    expect((await api(server, 'PATCH', '/me/notifications', { dnd_until: new Date(Date.now() + 3_600_000).toISOString() }, bob.token)).status).toBe(200);
    const silenced = await send(alice, dm.id, 'silenced');
    expect((await api<NotificationSettings>(server, 'PATCH', '/me/notifications', { dnd_until: null }, bob.token)).body.dnd_until).toBeNull();
    const heard = await send(alice, dm.id, 'heard');
    await browser.waitFor(heard);
    await sleep(500);
    expect((await browser.pushed()).map((p) => p.message_id)).not.toContain(silenced);
  });

  test('a DM sent during Do Not Disturb stays silent when the dispatcher first looks at it after Do Not Disturb was turned off', async () => {
    const { alice, bob, dm, browser } = await dmPushedToBob();

    // The dispatcher's passes wait (as when they are spaced under load, or lag after a restart)
    // while Do Not Disturb starts, a DM arrives, and Do Not Disturb is turned off.
    const dispatcher = server.parley.services.pushDispatcher;
    const pass = dispatcher.pass.bind(dispatcher);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    dispatcher.pass = async () => {
      await held;
      return pass();
    };
    try {
      expect((await api(server, 'PATCH', '/me/notifications', { dnd_until: new Date(Date.now() + 3_600_000).toISOString() }, bob.token)).status).toBe(200);
      const during = await send(alice, dm.id, 'sent during do not disturb');
      expect((await api<NotificationSettings>(server, 'PATCH', '/me/notifications', { dnd_until: null }, bob.token)).body.dnd_until).toBeNull();
      release();
      const after = await send(alice, dm.id, 'sent after it was turned off');
      await browser.waitFor(after);
      await sleep(500);
      expect((await browser.pushed()).map((p) => p.message_id)).not.toContain(during);
    } finally {
      release();
      dispatcher.pass = pass;
    }
  });

  test('`nothing` silences even a mention, `mentions` a plain message but not a mention, `all` in a channel pushes a plain message', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const channel = await createConversation(server, alice.token, { kind: 'channel', name: `levels-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: [bob.user.id] });
    const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
    const browser = await browserOf(bob);
    const mention = `@${bob.user.username} please look`;

    // Defaults: a channel notifies mentions, a group everything.
    expect(channel.membership?.notify).toBe('mentions');
    expect((await api<Conversation>(server, 'GET', `/conversations/${channel.id}`, undefined, bob.token)).body.membership).toMatchObject({ notify: 'mentions', muted: false });
    expect((await api<Conversation>(server, 'GET', `/conversations/${group.id}`, undefined, bob.token)).body.membership).toMatchObject({ notify: 'all', muted: false });

    expect((await setLevel(bob, channel.id, 'nothing')).membership).toMatchObject({ notify: 'nothing', muted: true });
    const mutedMention = await send(alice, channel.id, mention);
    expect((await setLevel(bob, group.id, 'mentions')).membership).toMatchObject({ notify: 'mentions', muted: true });
    const plainInGroup = await send(alice, group.id, 'lunch?');
    const mentionInGroup = await send(alice, group.id, mention);
    expect(await browser.waitFor(mentionInGroup)).toMatchObject({ conv_id: group.id, mention: true });
    await sleep(500);
    let ids = (await browser.pushed()).map((p) => p.message_id);
    expect(ids).not.toContain(mutedMention);
    expect(ids).not.toContain(plainInGroup);

    // `all` in the channel: a message that names nobody is pushed too.
    expect((await setLevel(bob, channel.id, 'all')).membership).toMatchObject({ notify: 'all', muted: false });
    const plainInChannel = await send(alice, channel.id, 'deploy is green');
    expect(await browser.waitFor(plainInChannel)).toMatchObject({ conv_id: channel.id, mention: false, body: 'deploy is green' });
    ids = (await browser.pushed()).map((p) => p.message_id);
    expect(ids).not.toContain(mutedMention);
  });

  test('nobody sets levels or Do Not Disturb for someone else: only one’s own membership and settings change', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const mallory = await registerUser(server);
    const secret = await createConversation(server, alice.token, { kind: 'channel', name: `secret-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: [bob.user.id] });
    const open = await createConversation(server, alice.token, { kind: 'channel', name: `open-${randomUUID().slice(0, 8)}`, visibility: 'public', member_ids: [bob.user.id] });

    // A private conversation she is not in does not exist for her; a public one she must join first.
    expect((await api(server, 'PUT', `/conversations/${secret.id}/notify`, { level: 'nothing' }, mallory.token)).status).toBe(404);
    expect((await api(server, 'PUT', `/conversations/${open.id}/notify`, { level: 'nothing' }, mallory.token)).status).toBe(403);
    // There is no way to name another member: the body takes a level and nothing else.
    expect((await api(server, 'PUT', `/conversations/${open.id}/notify`, { level: 'nothing', user_id: bob.user.id }, alice.token)).status).toBe(400);
    expect((await api(server, 'PUT', `/conversations/${open.id}/notify`, { level: 'loud' }, alice.token)).status).toBe(400);
    expect((await api(server, 'PATCH', '/me/notifications', { dnd_until: null, user_id: bob.user.id }, mallory.token)).status).toBe(400);
    // Once she joins, her choice is hers alone.
    expect((await api(server, 'POST', `/conversations/${open.id}/join`, undefined, mallory.token)).status).toBe(200);
    expect((await setLevel(mallory, open.id, 'nothing')).membership?.notify).toBe('nothing');
    expect((await api<Conversation>(server, 'GET', `/conversations/${open.id}`, undefined, bob.token)).body.membership?.notify).toBe('mentions');
    // Her Do Not Disturb is hers: Bob's stays off.
    expect((await api(server, 'PATCH', '/me/notifications', { dnd_until: new Date(Date.now() + 60_000).toISOString(), sounds: false }, mallory.token)).status).toBe(200);
    expect((await api<NotificationSettings>(server, 'GET', '/me/notifications', undefined, bob.token)).body).toEqual({ dnd_until: null, sounds: true });
    // A member who left chooses nothing there any more.
    expect((await api(server, 'POST', `/conversations/${open.id}/leave`, undefined, mallory.token)).status).toBe(204);
    expect((await api(server, 'PUT', `/conversations/${open.id}/notify`, { level: 'all' }, mallory.token)).status).toBe(403);
    // An API token that may only read changes nothing.
    const token = await api<{ token: string }>(server, 'POST', '/tokens', { name: 'reader', scopes: ['read'] }, bob.token);
    expect(token.status).toBe(201);
    expect((await api(server, 'PUT', `/conversations/${secret.id}/notify`, { level: 'nothing' }, token.body.token)).status).toBe(403);
    expect((await api(server, 'PATCH', '/me/notifications', { sounds: false }, token.body.token)).status).toBe(403);
    expect((await api<NotificationSettings>(server, 'GET', '/me/notifications', undefined, token.body.token)).body.sounds).toBe(true);
  });

  test('Do Not Disturb takes a time in the future, at most a year away, and needs something to change', async () => {
    const carol = await registerUser(server);
    for (const body of [{ dnd_until: new Date(Date.now() - 1_000).toISOString() }, { dnd_until: new Date(Date.now() + 400 * 86_400_000).toISOString() }, { dnd_until: 'tomorrow' }, {}]) {
      const r = await api<{ error: { code: string } }>(server, 'PATCH', '/me/notifications', body, carol.token);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('invalid_request');
    }
  });
});
