import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Message, MessageCreatedEvent } from '@parley/protocol';
import { SocketClient, api, createConversation, errorCode, registerUser, startServer, type TestServer } from '../testing/harness.js';
import { uploadFile } from '../testing/files.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

const send = (convId: string, token: string, body: Record<string, unknown>) =>
  api<Message & { error?: { code: string } }>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), ...body }, token);

test('files attached over REST come back on the message, in order, typed from their bytes, and in history', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const notes = await uploadFile(server, alice, Buffer.from('line one\nline two\n'), 'notes.txt');
  const blob = await uploadFile(server, alice, Buffer.from([0, 1, 2, 3, 255]), 'data.png');
  const res = await send(dm.id, alice.token, { body: 'two files', attachments: [blob, notes] });
  expect(res.status).toBe(201);
  expect(res.body.attachments.map((a) => a.id)).toEqual([blob, notes]);
  // The client's name says png; the bytes say otherwise.
  expect(res.body.attachments[0]).toMatchObject({ name: 'data.png', size: 5, mime: 'application/octet-stream', has_thumbnail: false, preview: null });
  expect(res.body.attachments[1]).toMatchObject({ name: 'notes.txt', mime: 'text/plain; charset=utf-8', preview: 'line one\nline two\n' });
  const history = await api<{ messages: Message[] }>(server, 'GET', `/conversations/${dm.id}/messages`, undefined, bob.token);
  expect(history.body.messages.find((m) => m.id === res.body.id)!.attachments).toEqual(res.body.attachments);
});

test('only the uploader may attach, only a finished upload, and only once', async () => {
  const alice = await registerUser(server);
  const mallory = await registerUser(server);
  const ch = await createConversation(server, alice.token, { kind: 'channel', name: `files-${randomUUID().slice(0, 8)}`, visibility: 'public' });
  await api(server, 'POST', `/conversations/${ch.id}/join`, undefined, mallory.token);
  const file = await uploadFile(server, alice, Buffer.from('secret'), 'a.txt');

  const stolen = await send(ch.id, mallory.token, { body: 'mine now', attachments: [file] });
  expect(stolen.status).toBe(404);
  expect(stolen.body.error!.code).toBe('not_found');

  const unfinished = (await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0', 'upload-length': '10' } })).headers
    .get('location')!
    .split('/')
    .pop()!;
  expect((await send(ch.id, alice.token, { body: 'early', attachments: [unfinished] })).body.error!.code).toBe('invalid_request');

  expect((await send(ch.id, alice.token, { body: 'first', attachments: [file] })).status).toBe(201);
  const again = await send(ch.id, alice.token, { body: 'second', attachments: [file] });
  expect(again.status).toBe(409);
  expect(again.body.error!.code).toBe('conflict');

  // The same id twice in one send, or more than ten files: refused by the schema.
  const other = await uploadFile(server, alice, Buffer.from('x'), 'x.txt');
  expect((await send(ch.id, alice.token, { body: 'dup', attachments: [other, other] })).status).toBe(400);
  expect((await send(ch.id, alice.token, { body: 'many', attachments: Array.from({ length: 11 }, () => other) })).status).toBe(400);
});

test('two sends racing for one file over the socket: exactly one carries it', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const file = await uploadFile(server, alice, Buffer.from('contested'), 'c.txt');
  const a = await SocketClient.connect(server, alice.token);
  const b = await SocketClient.connect(server, bob.token);
  // Sent in one tick, so both land in one batch.
  const results = await Promise.allSettled([1, 2].map((i) => a.request('message.send', { conv_id: dm.id, client_msg_id: `race-${i}`, body: `race ${i}`, attachments: [file] })));
  const won = results.filter((r) => r.status === 'fulfilled');
  expect(won).toHaveLength(1);
  const ack = (won[0] as PromiseFulfilledResult<{ id: string; message: Message }>).value;
  expect(ack.message.attachments.map((f) => f.id)).toEqual([file]);
  const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  expect(await errorCode(Promise.reject(lost.reason as Error))).toBe('conflict');
  const pushed = await b.waitFor<MessageCreatedEvent>((e) => e.type === 'message.created' && e.message.id === ack.id);
  expect(pushed.message.attachments).toEqual(ack.message.attachments);
  await a.close();
  await b.close();
});

test('a recalled message shows no files', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const file = await uploadFile(server, alice, Buffer.from('oops'), 'oops.txt');
  const sent = await send(dm.id, alice.token, { body: 'oops', attachments: [file] });
  expect((await api(server, 'DELETE', `/messages/${sent.body.id}`, undefined, alice.token)).status).toBe(200);
  const got = await api<Message>(server, 'GET', `/messages/${sent.body.id}`, undefined, bob.token);
  expect(got.body.attachments).toEqual([]);
});

test('files may carry a message without text, on REST and the socket; without files an empty message is still refused', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const rest = await send(dm.id, alice.token, { body: '', attachments: [await uploadFile(server, alice, Buffer.from('log line\n'), 'app.log')] });
  expect(rest.status).toBe(201);
  expect(rest.body.body).toBe('');
  expect(rest.body.attachments.map((a) => a.name)).toEqual(['app.log']);
  const s = await SocketClient.connect(server, alice.token);
  try {
    const ack = await s.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: '', attachments: [await uploadFile(server, alice, Buffer.from('x'), 'x.txt')] });
    expect(ack.message.attachments).toHaveLength(1);
    expect(await errorCode(s.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: '' }))).toBe('invalid_request');
  } finally {
    await s.close();
  }
  const empty = await send(dm.id, alice.token, { body: '  ' });
  expect(empty.status).toBe(400);
  expect(empty.body.error?.code).toBe('invalid_request');
});
