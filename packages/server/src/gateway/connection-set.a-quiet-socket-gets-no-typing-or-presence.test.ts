/**
 * A low-bandwidth socket (`connection.set`) stops receiving typing indicators and presence
 * changes, while the log (messages) still reaches it and every other socket, the same user's
 * included, still gets typing and presence. Turning them on again brings typing back.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import type { ServerEvent } from '@parley/protocol';
import { createConversation, errorCode, registerUser, SocketClient, sleep, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let current!: TestServer;
serverPerFile((s) => (current = s));
const server = () => current;

const typingFrom = (userId: string) => (e: ServerEvent) => e.type === 'typing' && e.user_id === userId && e.active;

test('a socket that turned typing and presence off gets neither, and still gets messages; the user’s other socket gets all', async () => {
  const alice = await registerUser(server());
  const bob = await registerUser(server());
  const dm = await createConversation(server(), alice.token, { kind: 'dm', user_id: bob.user.id });
  const quiet = await SocketClient.connect(server(), bob.token);
  const loud = await SocketClient.connect(server(), bob.token);
  const a = await SocketClient.connect(server(), alice.token);
  try {
    for (const s of [quiet, loud]) await s.request('presence.subscribe', { user_ids: [alice.user.id] });
    await expect(quiet.request('connection.set', { typing: false, presence: false })).resolves.toEqual({ typing: false, presence: false });
    // A subscription asked for afterwards answers with the snapshot, and no changes follow it.
    const snap = await quiet.request('presence.subscribe', { user_ids: [alice.user.id] });
    expect(snap.presences.map((p) => p.user_id)).toEqual([alice.user.id]);

    await a.request('typing.start', { conv_id: dm.id });
    await loud.waitFor(typingFrom(alice.user.id));
    await a.request('presence.set', { status: 'away' });
    await loud.waitFor((e) => e.type === 'presence' && e.user_id === alice.user.id && e.status === 'away');
    await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'still here' });
    await quiet.waitFor((e) => e.type === 'message.created' && e.message.body === 'still here');
    await loud.waitFor((e) => e.type === 'message.created' && e.message.body === 'still here');
    await sleep(200);
    expect(quiet.events.filter((e) => e.type === 'typing' || e.type === 'presence')).toEqual([]);

    // On again: typing reaches it once more.
    await expect(quiet.request('connection.set', { typing: true })).resolves.toEqual({ typing: true, presence: false });
    await a.request('typing.start', { conv_id: dm.id, thread_root_id: undefined });
    await a.request('typing.stop', { conv_id: dm.id });
    await a.request('typing.start', { conv_id: dm.id });
    await quiet.waitFor(typingFrom(alice.user.id));
  } finally {
    await Promise.all([quiet.close(), loud.close(), a.close()]);
  }
});

test('connection.set takes only its two switches', async () => {
  const carol = await registerUser(server());
  const s = await SocketClient.connect(server(), carol.token);
  try {
    await expect(errorCode(s.request('connection.set', { typing: 'no' }))).resolves.toBe('invalid_request');
    await expect(errorCode(s.request('connection.set', { volume: 0 }))).resolves.toBe('invalid_request');
    await expect(s.request('connection.set', {})).resolves.toEqual({ typing: true, presence: true });
  } finally {
    await s.close();
  }
});
