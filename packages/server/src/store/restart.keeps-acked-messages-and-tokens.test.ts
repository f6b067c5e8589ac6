import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import type { Conversation, HistoryPage, Message, MessageCreatedEvent, SendAck, User } from '@parley/protocol';
import { SocketClient, api, createConversation, registerUser, startServer, type TestServer } from '../testing/harness.js';

let server: TestServer | null = null;
afterAll(async () => {
  await server?.stop();
});

test('after a restart on the same data directory, every acked message is there, seq continues without a gap, and old tokens still work', async () => {
  server = await startServer();
  const dataDir = server.dataDir;
  await registerUser(server); // the workspace owner
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });

  const a = await SocketClient.connect(server, alice.token);
  // Fire many sends at once and stop the server right after the last ack: acked means durable.
  const acks: SendAck[] = await Promise.all([
    ...Array.from({ length: 30 }, (_, i) => a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: `dm ${i}` })),
    ...Array.from({ length: 30 }, (_, i) => a.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: `group ${i}` })),
  ]);
  const viaRest = await api<Message>(server, 'POST', `/conversations/${group.id}/messages`, { client_msg_id: randomUUID(), body: 'over rest' }, bob.token);
  expect(viaRest.status).toBe(201);
  await server.stop();
  await a.closed;
  expect(a.closeInfo?.code).toBe(1001);
  expect(fs.existsSync(path.join(dataDir, 'jwt.secret'))).toBe(true);

  server = await startServer({}, dataDir);

  // Tokens issued before the restart still work, over REST and the socket.
  const me = await api<User>(server, 'GET', '/me', undefined, alice.token);
  expect(me.status).toBe(200);
  expect(me.body.id).toBe(alice.user.id);

  const expectAll = async (convId: string, expected: { id: string; seq: number; body: string }[]) => {
    const hist = await api<HistoryPage>(server!, 'GET', `/conversations/${convId}/messages?limit=1000`, undefined, bob.token);
    expect(hist.status).toBe(200);
    expect(hist.body.messages.map((m) => [m.id, m.seq, m.body])).toEqual([...expected].sort((x, y) => x.seq - y.seq).map((m) => [m.id, m.seq, m.body]));
  };
  const dmAcks = acks.filter((x) => x.conv_id === dm.id).map((x) => ({ id: x.id, seq: x.seq, body: x.message.body }));
  const groupAcks = acks.filter((x) => x.conv_id === group.id).map((x) => ({ id: x.id, seq: x.seq, body: x.message.body }));
  groupAcks.push({ id: viaRest.body.id, seq: viaRest.body.seq, body: viaRest.body.body });
  await expectAll(dm.id, dmAcks);
  await expectAll(group.id, groupAcks);

  const a2 = await SocketClient.connect(server, alice.token);
  const b2 = await SocketClient.connect(server, bob.token);
  expect(a2.hello?.user.id).toBe(alice.user.id);
  const lastDmSeq = Math.max(...dmAcks.map((x) => x.seq));
  const lastGroupSeq = Math.max(...groupAcks.map((x) => x.seq));
  const conv = await api<Conversation>(server, 'GET', `/conversations/${dm.id}`, undefined, alice.token);
  expect(conv.body.last_seq).toBe(lastDmSeq);

  const nextDm = await a2.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'after restart' });
  expect(nextDm.seq).toBe(lastDmSeq + 1);
  const pushed = await b2.waitFor<MessageCreatedEvent>((e) => e.type === 'message.created' && e.message.id === nextDm.id);
  expect(pushed.seq).toBe(lastDmSeq + 1);
  const nextGroup = await b2.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'me too' });
  expect(nextGroup.seq).toBe(lastGroupSeq + 1);

  // A retry of a send acked before the restart is still recognised.
  const retried = await a2.request('message.send', { conv_id: dm.id, client_msg_id: acks[0]!.client_msg_id, body: acks[0]!.message.body });
  expect(retried.duplicate).toBe(true);
  expect(retried.id).toBe(acks[0]!.id);

  await a2.close();
  await b2.close();
});
