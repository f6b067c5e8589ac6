import { afterAll, beforeAll, expect, test } from 'vitest';
import type { MessageCreatedEvent } from '@parley/protocol';
import { SocketClient, createConversation, registerUser, startServer, type TestServer } from '../testing/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

test('a message sent on the socket is acked with a seq and pushed to the other member', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const a = await SocketClient.connect(server, alice.token);
  const b = await SocketClient.connect(server, bob.token);
  const ack = await a.request('message.send', { conv_id: dm.id, client_msg_id: 'c1', body: 'hello bob' });
  expect(ack.seq).toBeGreaterThan(0);
  expect(ack.duplicate).toBe(false);
  const got = await b.waitFor<MessageCreatedEvent>((e) => e.type === 'message.created' && e.message.id === ack.id);
  expect(got.message.body).toBe('hello bob');
  expect(got.seq).toBe(ack.seq);
  await a.close();
  await b.close();
});
