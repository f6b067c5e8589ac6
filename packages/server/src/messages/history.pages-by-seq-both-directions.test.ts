import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ErrorBody, HistoryPage, Message, SendAck } from '@parley/protocol';
import { RequestError, SocketClient, api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let eve: TestUser;
let convId: string;
let a: SocketClient;
/** 25 messages, in seq order. */
let sent: SendAck[] = [];

beforeAll(async () => {
  server = await startServer();
  await registerUser(server); // the workspace owner
  alice = await registerUser(server);
  bob = await registerUser(server);
  eve = await registerUser(server);
  convId = (await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id })).id;
  a = await SocketClient.connect(server, alice.token);
  for (let i = 0; i < 25; i++) sent.push(await a.request('message.send', { conv_id: convId, client_msg_id: randomUUID(), body: `msg ${i}` }));
  sent = sent.sort((x, y) => x.seq - y.seq);
});
afterAll(async () => {
  await a.close();
  await server.stop();
});

async function page(query: string, token = bob.token): Promise<HistoryPage> {
  const res = await api<HistoryPage>(server, 'GET', `/conversations/${convId}/messages${query}`, undefined, token);
  expect(res.status).toBe(200);
  return res.body;
}

const seqs = (p: HistoryPage) => p.messages.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('history paging by seq', () => {
  test('with neither cursor, the latest page comes back oldest-first with has_more when older messages exist', async () => {
    const first = sent[0]!.seq;
    const last = sent[24]!.seq;
    const latest = await page('?limit=10');
    expect(seqs(latest)).toEqual(range(last - 9, last));
    expect(latest.has_more).toBe(true);
    expect(latest.messages.map((m) => m.body)).toEqual(sent.slice(15).map((s) => s.message.body));
    const everything = await page('');
    expect(seqs(everything)).toEqual(range(first, last));
    expect(everything.has_more).toBe(false);
  });

  test('before_seq pages backward until has_more is false, covering every message exactly once', async () => {
    const got: number[] = [];
    let p = await page('?limit=10');
    const flags = [p.has_more];
    got.unshift(...seqs(p));
    while (p.has_more) {
      p = await page(`?limit=10&before_seq=${p.messages[0]!.seq}`);
      flags.push(p.has_more);
      got.unshift(...seqs(p));
    }
    expect(flags).toEqual([true, true, false]);
    expect(got).toEqual(sent.map((s) => s.seq));
  });

  test('after_seq pages forward until has_more is false, covering every message exactly once', async () => {
    const got: number[] = [];
    let cursor = 0;
    const flags: boolean[] = [];
    for (;;) {
      const p = await page(`?limit=10&after_seq=${cursor}`);
      flags.push(p.has_more);
      got.push(...seqs(p));
      if (!p.has_more) break;
      cursor = p.messages[p.messages.length - 1]!.seq;
    }
    expect(flags).toEqual([true, true, false]);
    expect(got).toEqual(sent.map((s) => s.seq));
  });

  test('has_more is false when a page ends exactly at the last message, in either direction', async () => {
    const first = sent[0]!.seq;
    const last = sent[24]!.seq;
    const fwd = await page(`?limit=5&after_seq=${last - 5}`);
    expect(seqs(fwd)).toEqual(range(last - 4, last));
    expect(fwd.has_more).toBe(false);
    const back = await page(`?limit=5&before_seq=${first + 5}`);
    expect(seqs(back)).toEqual(range(first, first + 4));
    expect(back.has_more).toBe(false);
    const beyond = await page(`?after_seq=${last}`);
    expect(beyond).toEqual({ messages: [], has_more: false });
  });

  test('after_seq and before_seq together give the window between them', async () => {
    const s = sent[5]!.seq;
    const p = await page(`?after_seq=${s}&before_seq=${s + 4}`);
    expect(seqs(p)).toEqual([s + 1, s + 2, s + 3]);
    expect(p.has_more).toBe(false);
  });

  test('the socket history request pages the same way as REST', async () => {
    const last = sent[24]!.seq;
    const viaSocket = await a.request('history', { conv_id: convId, before_seq: last - 4, limit: 7 });
    const viaRest = await page(`?before_seq=${last - 4}&limit=7`, alice.token);
    expect(viaSocket).toEqual(viaRest);
    expect(seqs(viaSocket)).toEqual(range(last - 11, last - 5));
    const fwd = await a.request('history', { conv_id: convId, after_seq: sent[0]!.seq, limit: 3 });
    expect(seqs(fwd)).toEqual(range(sent[1]!.seq, sent[3]!.seq));
    expect(fwd.has_more).toBe(true);
  });

  test('non-members cannot read the history', async () => {
    const res = await api<{ error: ErrorBody }>(server, 'GET', `/conversations/${convId}/messages`, undefined, eve.token);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('GET /messages/:id', () => {
  test('returns the message to members, and 404 to non-members and for unknown ids', async () => {
    const target = sent[7]!;
    const res = await api<Message>(server, 'GET', `/messages/${target.id}`, undefined, bob.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(target.message);
    expect(await a.request('message.get', { message_id: target.id })).toEqual(target.message);

    const outsider = await api<{ error: ErrorBody }>(server, 'GET', `/messages/${target.id}`, undefined, eve.token);
    expect(outsider.status).toBe(404);
    expect(outsider.body.error.code).toBe('not_found');
    const unknown = await api<{ error: ErrorBody }>(server, 'GET', `/messages/01ARZ3NDEKTSV4RRFFQ69G5FAV`, undefined, bob.token);
    expect(unknown.status).toBe(404);
    const e = await SocketClient.connect(server, eve.token);
    const err = await e.request('message.get', { message_id: target.id }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).error.code).toBe('not_found');
    await e.close();
  });
});
