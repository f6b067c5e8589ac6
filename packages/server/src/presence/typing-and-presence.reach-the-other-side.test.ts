import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { MessageCreatedEvent, PresenceEvent, ServerEvent, TypingEvent } from '@parley/protocol';
import { until } from '@parley/protocol/testing';
import { SocketClient, api, createConversation, login, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

const typingOf = (userId: string, convId: string, active: boolean) => (e: ServerEvent) => e.type === 'typing' && e.user_id === userId && e.conv_id === convId && e.active === active;

const presenceOf = (userId: string, status: string) => (e: ServerEvent) => e.type === 'presence' && e.user_id === userId && e.status === status;

describe('typing', () => {
  test('typing.start reaches the other member as an active typing event, and sending a message ends it', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const b = await connect(bob);

    await a.request('typing.start', { conv_id: dm.id });
    const started = await b.waitFor<TypingEvent>(typingOf(alice.user.id, dm.id, true));
    expect(started.expires_in_ms).toBe(a.hello!.limits.typing_ttl_ms);
    expect(started.expires_in_ms).toBeGreaterThan(0);
    expect(started.thread_root_id).toBeNull();

    const ack = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'done typing' });
    const stopped = await b.waitFor<TypingEvent>(typingOf(alice.user.id, dm.id, false));
    expect(stopped.expires_in_ms).toBe(0);
    // The message arrives before (or with) the end of typing, never after it.
    const iMsg = b.events.findIndex((e) => e.type === 'message.created' && e.message.id === ack.id);
    expect(iMsg).toBeGreaterThanOrEqual(0);
    expect(iMsg).toBeLessThan(b.events.indexOf(stopped));
  });

  test('a message sent over REST also ends its sender’s typing, and typing.stop ends it explicitly', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
    const a = await connect(alice);
    const b = await connect(bob);

    await a.request('typing.start', { conv_id: group.id });
    await b.waitFor(typingOf(alice.user.id, group.id, true));
    const sent = await api(server, 'POST', `/conversations/${group.id}/messages`, { client_msg_id: randomUUID(), body: 'via rest' }, alice.token);
    expect(sent.status).toBe(201);
    await b.waitFor(typingOf(alice.user.id, group.id, false));

    await b.request('typing.start', { conv_id: group.id });
    await a.waitFor(typingOf(bob.user.id, group.id, true));
    await b.request('typing.stop', { conv_id: group.id });
    await a.waitFor(typingOf(bob.user.id, group.id, false));
  });

  test('a user outside the conversation cannot signal typing in it', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const eve = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const e = await connect(eve);
    const err = await e.request('typing.start', { conv_id: dm.id }).then(
      () => null,
      (x: { error?: { code: string } }) => x.error?.code,
    );
    expect(err).toBe('not_found');
  });
});

describe('presence', () => {
  test('a subscriber sees the other user come online, go away and go offline with a last-seen time', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const a = await connect(alice);

    const sub = await a.request('presence.subscribe', { user_ids: [bob.user.id] });
    expect(sub.presences).toEqual([{ user_id: bob.user.id, status: 'offline', last_seen_at: null }]);

    const b = await SocketClient.connect(server, bob.token);
    const online = await a.waitFor<PresenceEvent>(presenceOf(bob.user.id, 'online'));
    expect(online.last_seen_at).toBeNull();

    const set = await b.request('presence.set', { status: 'away' });
    expect(set.status).toBe('away');
    await a.waitFor(presenceOf(bob.user.id, 'away'));

    await b.request('presence.set', { status: 'online' });
    await a.waitForCount(presenceOf(bob.user.id, 'online'), 2);

    const before = Date.now();
    await b.close();
    const offline = await a.waitFor<PresenceEvent>(presenceOf(bob.user.id, 'offline'));
    expect(offline.last_seen_at).not.toBeNull();
    const seen = Date.parse(offline.last_seen_at!);
    expect(seen).toBeGreaterThanOrEqual(before - 1000);
    expect(seen).toBeLessThanOrEqual(Date.now() + 1000);

    // A late subscriber gets the same last-seen time.
    const again = await a.request('presence.subscribe', { user_ids: [bob.user.id] });
    expect(again.presences[0]).toEqual({ user_id: bob.user.id, status: 'offline', last_seen_at: offline.last_seen_at });
  });

  test('a user stays online while any of their devices holds a socket', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const a = await connect(alice);
    await a.request('presence.subscribe', { user_ids: [bob.user.id] });

    const laptop = await SocketClient.connect(server, bob.token);
    const phoneLogin = await login(server, bob.user.username);
    const phone = await SocketClient.connect(server, phoneLogin.token);
    await a.waitFor(presenceOf(bob.user.id, 'online'));

    const open = server.parley.gateway.connectionCount;
    await laptop.close();
    // Wait until the server has dropped the laptop's socket, then check bob is still online; the round
    // trip on alice's socket proves no offline event was queued before it.
    await until('the closed socket to be gone', () => server.parley.gateway.connectionCount === open - 1, 10_000, 10);
    expect((await a.request('presence.subscribe', { user_ids: [bob.user.id] })).presences[0]!.status).toBe('online');
    expect(a.events.some(presenceOf(bob.user.id, 'offline'))).toBe(false);

    await phone.close();
    await a.waitFor(presenceOf(bob.user.id, 'offline'));
  });

  test('messages keep flowing to a user who set themselves away', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const b = await connect(bob);
    await b.request('presence.set', { status: 'away' });
    const ack = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'are you there?' });
    const got = await b.waitFor<MessageCreatedEvent>((e) => e.type === 'message.created' && e.message.id === ack.id);
    expect(got.message.body).toBe('are you there?');
  });
});
