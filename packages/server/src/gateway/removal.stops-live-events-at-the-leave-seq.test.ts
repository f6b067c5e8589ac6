/**
 * A removed member's sockets stop at their member.left event, in the conversation's seq order,
 * even when the user's own `leave` control reaches the node late (across nodes, the bus gives no
 * order between a conversation's subject and a user's subject). The bus here holds `leave`
 * controls back to make that lateness certain.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { MessageCreatedEvent, ServerEvent } from '@parley/protocol';
import { MemoryBus } from '../bus/memory.js';
import { SocketClient, api, createConversation, registerUser, sleep, startServer, type TestServer } from '../testing/harness.js';

class LateLeaveBus extends MemoryBus {
  override publish(subject: string, payload: string): void {
    if (payload.startsWith('C') && payload.includes('"op":"leave"')) setTimeout(() => super.publish(subject, payload), 300);
    else super.publish(subject, payload);
  }
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer({}, undefined, { bus: new LateLeaveBus() });
  await registerUser(server);
});
afterAll(async () => {
  await server.stop();
});

const created = (events: ServerEvent[]) => events.filter((e): e is MessageCreatedEvent => e.type === 'message.created').map((e) => e.message.body);

test('a member removed from a group hears nothing sent after the removal, though their leave control arrives late', async () => {
  const [bob, carol, dave] = [await registerUser(server), await registerUser(server), await registerUser(server)];
  const group = await createConversation(server, bob.token, { kind: 'group', member_ids: [carol.user.id, dave.user.id] });
  const socket = await SocketClient.connect(server, carol.token);
  const send = (body: string) => api(server, 'POST', `/conversations/${group.id}/messages`, { client_msg_id: crypto.randomUUID(), body }, bob.token);
  await send('before');
  await socket.waitFor((e) => e.type === 'message.created');

  expect((await api(server, 'DELETE', `/conversations/${group.id}/members/${carol.user.id}`, undefined, bob.token)).status).toBe(204);
  await send('after the removal');
  await sleep(500);
  expect(socket.events.some((e) => e.type === 'member.left' && e.user_id === carol.user.id)).toBe(true);
  expect(created(socket.events)).toEqual(['before']);
  await socket.close();
});

test('a member who left and came back keeps hearing the conversation: the old leave does not stop the new subscription', async () => {
  const [bob, carol] = [await registerUser(server), await registerUser(server)];
  const channel = await createConversation(server, bob.token, { kind: 'channel', name: `back-${crypto.randomUUID().slice(0, 8)}`, visibility: 'public' });
  expect((await api(server, 'POST', `/conversations/${channel.id}/join`, undefined, carol.token)).status).toBe(200);
  const socket = await SocketClient.connect(server, carol.token);
  expect((await api(server, 'POST', `/conversations/${channel.id}/leave`, undefined, carol.token)).status).toBe(204);
  expect((await api(server, 'POST', `/conversations/${channel.id}/join`, undefined, carol.token)).status).toBe(200);
  // The delayed leave control arrives after the rejoin; the gateway already stopped at the
  // member.left event and the join subscribed again.
  await sleep(500);
  await api(server, 'POST', `/conversations/${channel.id}/messages`, { client_msg_id: crypto.randomUUID(), body: 'welcome back' }, bob.token);
  await socket.waitFor((e) => e.type === 'message.created' && e.message.body === 'welcome back');
  await socket.close();
});
