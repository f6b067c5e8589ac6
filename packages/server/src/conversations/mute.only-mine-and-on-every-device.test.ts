/**
 * `/mute` is one member's own setting: it shows in their views of the conversation on every
 * device (live and on the next load), nobody else's, and only a current member can set it.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import type { Conversation, ServerEvent } from '@parley/protocol';
import { api, createConversation, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const sockets = serverPerFile((s) => (server = s));

test('a mute reaches my other devices and my later views, not anyone else’s', async () => {
  const [alice, bob, outsider] = [await registerUser(server), await registerUser(server), await registerUser(server)];
  const chan = await createConversation(server, alice.token, { kind: 'channel', name: `mute-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: [bob.user.id] });
  expect(chan.membership?.muted).toBe(false);
  const [aliceOther, bobSocket] = [await sockets.connect(alice), await sockets.connect(bob)];

  const res = await api<Conversation>(server, 'PUT', `/conversations/${chan.id}/mute`, { muted: true }, alice.token);
  expect(res.status).toBe(200);
  expect(res.body.membership?.muted).toBe(true);
  expect(await aliceOther.waitFor((e: ServerEvent) => e.type === 'conversation.muted')).toEqual({ type: 'conversation.muted', conv_id: chan.id, muted: true, notify: 'mentions' });

  const mine = (await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, alice.token)).body.conversations.find((c) => c.id === chan.id);
  expect(mine?.membership?.muted).toBe(true);
  expect((await api<Conversation>(server, 'GET', `/conversations/${chan.id}`, undefined, alice.token)).body.membership?.muted).toBe(true);
  expect((await api<Conversation>(server, 'GET', `/conversations/${chan.id}`, undefined, bob.token)).body.membership?.muted).toBe(false);
  expect(bobSocket.events.filter((e) => e.type === 'conversation.muted')).toEqual([]);

  // Messages still arrive and count as unread: mute is about notifying, not hiding.
  await api(server, 'POST', `/conversations/${chan.id}/messages`, { client_msg_id: randomUUID(), body: 'still here' }, bob.token);
  const after = (await api<Conversation>(server, 'GET', `/conversations/${chan.id}`, undefined, alice.token)).body;
  expect([after.unread_count, after.membership?.muted]).toEqual([1, true]);

  expect((await api<Conversation>(server, 'PUT', `/conversations/${chan.id}/mute`, { muted: false }, alice.token)).body.membership?.muted).toBe(false);
  // Not a member: nothing to mute, and a private conversation stays invisible.
  expect((await api(server, 'PUT', `/conversations/${chan.id}/mute`, { muted: true }, outsider.token)).status).toBe(404);
  expect((await api(server, 'PUT', `/conversations/${chan.id}/mute`, { muted: 'yes' }, alice.token)).status).toBe(400);
});
