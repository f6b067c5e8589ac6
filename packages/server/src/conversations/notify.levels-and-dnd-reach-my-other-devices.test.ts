/**
 * A notification level is one member's own membership setting, and Do Not Disturb one user's
 * own: each change reaches that user's other devices at once (`conversation.muted` with the
 * level, `notifications.updated`) and every later view, and nobody else's.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import type { Conversation, NotificationSettings, ServerEvent } from '@parley/protocol';
import { api, createConversation, registerUser, sleep, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const sockets = serverPerFile((s) => (server = s));

test('a level set on one device reaches my other devices and later views; /mute is the level `mentions`', async () => {
  const [alice, bob] = [await registerUser(server), await registerUser(server)];
  const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
  expect(group.membership).toMatchObject({ notify: 'all', muted: false });
  const [aliceOther, bobSocket] = [await sockets.connect(alice), await sockets.connect(bob)];

  const res = await api<Conversation>(server, 'PUT', `/conversations/${group.id}/notify`, { level: 'nothing' }, alice.token);
  expect(res.status).toBe(200);
  expect(res.body.membership).toMatchObject({ notify: 'nothing', muted: true });
  expect(await aliceOther.waitFor((e: ServerEvent) => e.type === 'conversation.muted')).toEqual({ type: 'conversation.muted', conv_id: group.id, muted: true, notify: 'nothing' });
  const mine = (await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, alice.token)).body.conversations.find((c) => c.id === group.id);
  expect(mine?.membership).toMatchObject({ notify: 'nothing', muted: true });
  expect((await api<Conversation>(server, 'GET', `/conversations/${group.id}`, undefined, bob.token)).body.membership).toMatchObject({ notify: 'all', muted: false });

  // Unmuting goes back to the default; muting is `mentions`.
  expect((await api<Conversation>(server, 'PUT', `/conversations/${group.id}/mute`, { muted: false }, alice.token)).body.membership).toMatchObject({ notify: 'all', muted: false });
  expect((await api<Conversation>(server, 'PUT', `/conversations/${group.id}/mute`, { muted: true }, alice.token)).body.membership).toMatchObject({ notify: 'mentions', muted: true });
  // Choosing `all` is not muted, even where the default is quieter.
  const chan = await createConversation(server, alice.token, { kind: 'channel', name: `lv-${randomUUID().slice(0, 8)}`, visibility: 'private' });
  expect(chan.membership).toMatchObject({ notify: 'mentions', muted: false });
  expect((await api<Conversation>(server, 'PUT', `/conversations/${chan.id}/notify`, { level: 'all' }, alice.token)).body.membership).toMatchObject({ notify: 'all', muted: false });

  await sleep(200);
  expect(bobSocket.events.filter((e) => e.type === 'conversation.muted')).toEqual([]);
});

test('Do Not Disturb and sounds reach my other devices, not anyone else’s', async () => {
  const [alice, bob] = [await registerUser(server), await registerUser(server)];
  expect((await api<NotificationSettings>(server, 'GET', '/me/notifications', undefined, alice.token)).body).toEqual({ dnd_until: null, sounds: true });
  const [aliceOther, bobSocket] = [await sockets.connect(alice), await sockets.connect(bob)];
  const until = new Date(Date.now() + 3_600_000).toISOString();

  const res = await api<NotificationSettings>(server, 'PATCH', '/me/notifications', { dnd_until: until, sounds: false }, alice.token);
  expect(res.body).toEqual({ dnd_until: until, sounds: false });
  expect(await aliceOther.waitFor((e: ServerEvent) => e.type === 'notifications.updated')).toEqual({ type: 'notifications.updated', settings: { dnd_until: until, sounds: false } });
  expect((await api<NotificationSettings>(server, 'GET', '/me/notifications', undefined, alice.token)).body).toEqual({ dnd_until: until, sounds: false });

  // One field at a time leaves the other as it was.
  expect((await api<NotificationSettings>(server, 'PATCH', '/me/notifications', { dnd_until: null }, alice.token)).body).toEqual({ dnd_until: null, sounds: false });
  await sleep(200);
  expect(bobSocket.events.filter((e) => e.type === 'notifications.updated')).toEqual([]);
});
