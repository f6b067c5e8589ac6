import { afterAll, beforeAll, expect, test } from 'vitest';
import { api, createConversation, registerUser, startServer, type TestServer, type TestUser } from '@parley/server/testing';
import type { Conversation, Message } from '@parley/protocol';
import { Parley } from '../node.js';
import { ParleyError } from './errors.js';

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let room: Conversation;
let client: Parley;

async function say(u: TestUser, body: string): Promise<Message> {
  const res = await api<Message>(server, 'POST', `/conversations/${room.id}/messages`, { client_msg_id: globalThis.crypto.randomUUID(), body }, u.token);
  expect(res.status).toBe(201);
  return res.body;
}

async function failure(p: Promise<unknown>): Promise<ParleyError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ParleyError);
  return e as ParleyError;
}

beforeAll(async () => {
  server = await startServer();
  [alice, bob] = [await registerUser(server), await registerUser(server)];
  room = await createConversation(server, alice.token, { kind: 'channel', name: `ops-${process.pid}`, visibility: 'public', member_ids: [bob.user.id] });
  await say(alice, 'good morning');
  await say(alice, '今天的部署失败了');
  await say(bob, '部署 again after lunch');
  client = new Parley({ url: server.url, token: bob.token });
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

test('search() finds Chinese words with their highlight offsets and the conversation, and pages by cursor', async () => {
  const page = await client.search('部署', { limit: 1 });
  expect(page.hits).toHaveLength(1);
  const hit = page.hits[0]!;
  expect(hit.message.body).toBe('部署 again after lunch');
  expect(hit.highlights.map((r) => hit.message.body.slice(r.start, r.end))).toEqual(['部署']);
  expect(page.conversations.map((c) => c.id)).toEqual([room.id]);
  expect(page.next_cursor).not.toBeNull();

  const next = await client.search('部署', { limit: 1, cursor: page.next_cursor! });
  expect(next.hits.map((h) => h.message.body)).toEqual(['今天的部署失败了']);

  const all: string[] = [];
  for await (const { hit: h, conversation } of client.searchAll('部署 in:#' + room.name, { limit: 1 })) {
    expect(conversation?.id).toBe(room.id);
    all.push(h.message.body);
  }
  expect(all).toEqual(['部署 again after lunch', '今天的部署失败了']);
});

test('before:/after:/on: days are read in the time zone given, the local one by default', async () => {
  // Kiritimati is UTC+14 and Pago Pago UTC-11: the same instant falls on different days there.
  const dayIn = (tz: string) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const kiritimati = dayIn('Pacific/Kiritimati');
  const found = async (opts: { tz?: string }) => (await client.search(`morning on:${kiritimati}`, opts)).hits.length;
  expect(await found({ tz: 'Pacific/Kiritimati' })).toBe(1);
  expect(await found({ tz: 'Pacific/Pago_Pago' })).toBe(0);
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'Pacific/Kiritimati';
    expect(await found({})).toBe(1);
    process.env.TZ = 'Pacific/Pago_Pago';
    expect(await found({})).toBe(0);
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('bad syntax is invalid_query naming the problem; an unknown channel is not_found; an aborted search rejects as aborted', async () => {
  const bad = await failure(client.search('"unclosed'));
  expect(bad.code).toBe('invalid_query');
  expect(bad.status).toBe(400);
  expect(bad.message).toMatch(/quote is not closed/);

  const missing = await failure(client.search('deploy in:#no-such-channel-here'));
  expect(missing.code).toBe('not_found');

  const ac = new AbortController();
  ac.abort();
  expect((await failure(client.search('部署', { signal: ac.signal }))).code).toBe('aborted');
});
