/**
 * Burn after reading, path by path. A DM and a group, two devices per user with one of them
 * offline while the messages burn. Before the burn: the content is on no shared path (REST and
 * socket history, single message, live events, resync replays, sync, threads and reply targets,
 * the conversation list's last message, search, outgoing webhooks, file downloads and
 * thumbnails), only in each reader's reveal. After it: tombstones everywhere, reveal answers
 * `burned`, the files' bytes are gone, and on the embedded database no file under the data
 * directory (database, WAL, search index, blobs) holds the text any more.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Conversation, EventsPage, HistoryPage, LogEvent, Message, MessageBurnedEvent, RevealedMessage, SearchPage, ThreadPage } from '@parley/protocol';
import { api, createConversation, errorCode, login, onPostgres, registerUser, SocketClient, sleep, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { uploadFile } from '../testing/files.js';

let server: TestServer;
const sockets: SocketClient[] = [];
let hook: http.Server;
const delivered: string[] = [];
let hookUrl = '';

beforeAll(async () => {
  // Timers of seconds, so the test sees them run out; the sweeper's own one-second poll is the production one.
  server = await startServer({ burnMinMs: 1_000, outgoingAllowPrivate: true, outgoingRetryBaseMs: 20, blobGraceMs: 3_600_000 });
  await registerUser(server); // the workspace owner; the users below are plain members
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      delivered.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await server.stop();
  await new Promise((r) => hook.close(r));
});

async function connect(u: TestUser): Promise<SocketClient> {
  const s = await SocketClient.connect(server, u.token);
  sockets.push(s);
  return s;
}

const fileGet = (p: string, u: TestUser) => fetch(`${server.url}/api/v1${p}`, { headers: { authorization: `Bearer ${u.token}` } });

/** A burn message's shared shape: nothing of its content, the burn info, and burned or not. */
function expectHidden(m: Message | null | undefined, id: string, burned: boolean): void {
  expect(m, `message ${id} missing`).toBeTruthy();
  expect(m!.id).toBe(id);
  expect(m!.body).toBe('');
  expect(m!.attachments).toEqual([]);
  expect(m!.tags).toEqual([]);
  expect(m!.burn).not.toBeNull();
  expect(m!.burn!.burned_at !== null).toBe(burned);
}

const messagesIn = (events: LogEvent[], id: string): Message[] => events.flatMap((e) => ('message' in e && e.message.id === id ? [e.message] : []));

/** Every shared path one user's device reads a message by; returns all it read, for a text search. */
async function walk(u: TestUser, s: SocketClient, conv: Conversation, id: string, replyId: string, burned: boolean): Promise<unknown[]> {
  const seen: unknown[] = [];
  const keep = <T>(x: T): T => (seen.push(x), x);
  const hist = keep(await api<HistoryPage>(server, 'GET', `/conversations/${conv.id}/messages`, undefined, u.token)).body;
  expectHidden(
    hist.messages.find((m) => m.id === id),
    id,
    burned,
  );
  expectHidden(keep(await api<Message>(server, 'GET', `/messages/${id}`, undefined, u.token)).body, id, burned);
  expectHidden(keep(await s.request('message.get', { message_id: id })), id, burned);
  expectHidden(
    keep(await s.request('history', { conv_id: conv.id, after_seq: 0 })).messages.find((m) => m.id === id),
    id,
    burned,
  );
  // Resync replays, socket and REST: the log's message.created (and, once burned, message.burned).
  const replay = keep(await s.request('sync.events', { conv_id: conv.id, after_seq: 0 })).events;
  const carried = messagesIn(replay, id);
  expect(carried.length).toBe(burned ? 2 : 1);
  for (const m of carried) expectHidden(m, id, burned);
  const restReplay = keep(await api<EventsPage>(server, 'GET', `/conversations/${conv.id}/events?after_seq=0`, undefined, u.token)).body.events;
  expect(messagesIn(restReplay, id).length).toBe(burned ? 2 : 1);
  for (const m of messagesIn(restReplay, id)) expectHidden(m, id, burned);
  // The thread it roots, opened from the root and from the reply.
  const thread = keep(await api<ThreadPage>(server, 'GET', `/messages/${id}/thread`, undefined, u.token)).body;
  expectHidden(thread.root, id, burned);
  expect(thread.replies.map((r) => r.id)).toEqual([replyId]);
  expectHidden(keep(await api<ThreadPage>(server, 'GET', `/messages/${replyId}/thread`, undefined, u.token)).body.root, id, burned);
  // The conversation list's last message: REST, socket list, conversation.get and sync.
  const list = keep(await api<{ conversations: Conversation[] }>(server, 'GET', '/conversations', undefined, u.token)).body.conversations;
  expect(list.find((c) => c.id === conv.id)?.last_message?.id).toBe(id);
  keep(await s.request('conversation.list', {}));
  keep(await s.request('conversation.get', { conv_id: conv.id }));
  const synced = keep(await s.request('sync', { cursors: { [conv.id]: 0 } })).conversations.find((c) => c.id === conv.id);
  expectHidden(synced?.last_message, id, burned);
  return seen;
}

test('a burn message is hidden on every shared path, revealed to each reader alone, then burned for everyone and gone from disk', async () => {
  const SECRET = `hunter2-${randomUUID()}`;
  const FILE_SECRET = `db-password-${randomUUID()}`;
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const carol = await registerUser(server);
  const aliceLaptop = await login(server, alice.user.username); // her second device, offline during the burn
  const bobPhone = await login(server, bob.user.username); // his second device, offline during the burn
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id, carol.user.id], name: 'release' });
  const made = await api(server, 'POST', `/conversations/${group.id}/outgoing-webhooks`, { name: 'Audit bot', url: hookUrl, events: ['message'] }, alice.token);
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const a = await connect(alice);
  const b = await connect(bob);
  const c = await connect(carol);

  // A text file and an image (it gets a thumbnail) go with the DM.
  const textFile = await uploadFile(server, alice, Buffer.from(`${FILE_SECRET}\n`), 'creds.txt');
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .png()
    .toBuffer();
  const image = await uploadFile(server, alice, png, 'screenshot.png');

  const dmMsg = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: `the root password is ${SECRET} #ops`, attachments: [textFile, image], burn_after: '4s' });
  expectHidden(dmMsg.message, dmMsg.id, false);
  expect(dmMsg.message.burn!.after_s).toBe(4);
  const groupMsg = await api<Message>(
    server,
    'POST',
    `/conversations/${group.id}/messages`,
    // A long timer and a cap twelve seconds away (room for every path below on a loaded machine):
    // carol never reads it, so the cap burns it.
    { client_msg_id: randomUUID(), body: `staging token ${SECRET}`, burn_after: '30s', expires_at: new Date(Date.now() + 12_000).toISOString() },
    alice.token,
  );
  expect(groupMsg.status).toBe(201);
  expectHidden(groupMsg.body, groupMsg.body.id, false);
  // Replies to each, so their threads and reply targets are paths too.
  const dmReply = await b.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'revealing now', reply_to: dmMsg.id });
  const groupReply = await c.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'later', reply_to: groupMsg.body.id });

  // Live: each member's socket got the message hidden.
  for (const [sock, id] of [
    [b, dmMsg.id],
    [c, groupMsg.body.id],
    [b, groupMsg.body.id],
  ] as const) {
    const ev = await sock.waitFor((e) => e.type === 'message.created' && e.message.id === id);
    expectHidden((ev as { message: Message }).message, id, false);
  }

  // Before anyone reveals: every shared path, for both members and the sender.
  const seen: unknown[] = [];
  for (const [u, s] of [
    [alice, a],
    [bob, b],
  ] as const) {
    seen.push(...(await walk(u, s, dm, dmMsg.id, dmReply.id, false)));
    seen.push(...(await walk(u, s, group, groupMsg.body.id, groupReply.id, false)));
  }
  // Search finds none of its words, by text or by filters; tags were never taken from it.
  for (const q of [SECRET, 'root password', `from:${alice.user.username}`, 'has:file', '#ops']) {
    const r = await api<SearchPage>(server, 'GET', `/search?q=${encodeURIComponent(q)}`, undefined, bob.token);
    expect(r.status, q).toBe(200);
    expect(
      r.body.hits.map((h) => h.message.id),
      q,
    ).not.toContain(dmMsg.id);
    seen.push(r.body);
  }
  // The files: the sender's, nobody else's until they reveal.
  expect((await fileGet(`/files/${textFile}`, alice)).status).toBe(200);
  for (const p of [`/files/${textFile}`, `/files/${image}`, `/files/${image}/thumbnail`]) expect((await fileGet(p, bob)).status, p).toBe(404);
  expect(JSON.stringify(seen)).not.toContain(SECRET);

  // Bob reveals the DM on his laptop: the content, for him, with his end four seconds away.
  const revealed = await b.request('message.reveal', { message_id: dmMsg.id });
  expect(revealed.message.body).toBe(`the root password is ${SECRET} #ops`);
  expect(revealed.message.attachments.map((f) => f.id)).toEqual([textFile, image]);
  expect(revealed.message.attachments[0]!.preview).toContain(FILE_SECRET);
  const bobEnd = Date.parse(revealed.burns_at!);
  expect(bobEnd - Date.now()).toBeGreaterThan(500);
  expect(bobEnd - Date.now()).toBeLessThanOrEqual(4_000);
  // What was left when the server answered, for a client to count down on its own clock.
  expect(revealed.burns_in_ms).toBe(4_000);
  // Over REST on his phone: the same timer, not a new one, with less of it left.
  const again = await api<RevealedMessage>(server, 'POST', `/messages/${dmMsg.id}/reveal`, undefined, bobPhone.token);
  expect(again.status).toBe(200);
  expect(again.body.burns_at).toBe(revealed.burns_at);
  expect(again.body.burns_in_ms).toBeLessThanOrEqual(4_000);
  expect(again.body.burns_in_ms! + Date.now()).toBeGreaterThanOrEqual(bobEnd);
  const file = await fileGet(`/files/${textFile}`, bob);
  expect(file.status).toBe(200);
  expect(await file.text()).toBe(`${FILE_SECRET}\n`);
  expect((await fileGet(`/files/${image}/thumbnail`, bob)).status).toBe(200);
  // The sender's reveal starts nothing; bob's reveal of the group message starts only his timer there.
  const own = await a.request('message.reveal', { message_id: groupMsg.body.id });
  expect([own.burns_at, own.burns_in_ms]).toEqual([null, null]);
  expect((await b.request('message.reveal', { message_id: groupMsg.body.id })).message.body).toBe(`staging token ${SECRET}`);
  // Revealing moved nothing on the shared paths.
  expectHidden(await b.request('message.get', { message_id: dmMsg.id }), dmMsg.id, false);

  // The DM burns when bob's timer runs out (he is its only recipient); the group at its cap.
  const burnedDm = await b.waitFor<MessageBurnedEvent>((e) => e.type === 'message.burned' && e.message.id === dmMsg.id, 8_000);
  expectHidden(burnedDm.message, dmMsg.id, true);
  expect(Date.parse(burnedDm.message.burn!.burned_at!)).toBeGreaterThanOrEqual(bobEnd);
  await a.waitFor((e) => e.type === 'message.burned' && e.message.id === dmMsg.id);
  const burnedGroup = await c.waitFor<MessageBurnedEvent>((e) => e.type === 'message.burned' && e.message.id === groupMsg.body.id, 20_000);
  expectHidden(burnedGroup.message, groupMsg.body.id, true);

  // The devices that were offline come back and resync: tombstones, nothing else.
  const phone = await connect(bobPhone);
  const laptop = await connect(aliceLaptop);
  const after: unknown[] = [];
  for (const [u, s] of [
    [bobPhone, phone],
    [aliceLaptop, laptop],
    [bob, b],
  ] as const) {
    after.push(...(await walk(u, s, dm, dmMsg.id, dmReply.id, true)));
    after.push(...(await walk(u, s, group, groupMsg.body.id, groupReply.id, true)));
    expect(await errorCode(s.request('message.reveal', { message_id: dmMsg.id }))).toBe('burned');
  }
  const rest = await api<{ error: { code: string } }>(server, 'POST', `/messages/${groupMsg.body.id}/reveal`, undefined, carol.token);
  expect(rest.status).toBe(410);
  expect(rest.body.error.code).toBe('burned');
  // Burned messages take no reactions, edits or tags.
  expect(await errorCode(b.request('reaction.add', { message_id: dmMsg.id, emoji: '🔥' }))).toBe('burned');
  expect(await errorCode(a.request('message.edit', { message_id: dmMsg.id, body: 'x' }))).toBe('conflict');
  for (const p of [`/files/${textFile}`, `/files/${image}`, `/files/${image}/thumbnail`]) {
    expect((await fileGet(p, bob)).status, p).toBe(404);
    expect((await fileGet(p, alice)).status, p).toBe(404);
  }
  // Every event any device received, live or replayed, and every page read after the burn.
  after.push(a.events, b.events, c.events, phone.events, laptop.events);
  expect(JSON.stringify(after)).not.toContain(SECRET);
  expect(JSON.stringify(after)).not.toContain(FILE_SECRET);
  // The outgoing webhook was never told of either message (replies were delivered: it works).
  await sleep(300);
  const deliveredIds = delivered.map((d) => (JSON.parse(d) as { event: { message?: { id: string } } }).event.message?.id);
  expect(deliveredIds).toContain(groupReply.id);
  expect(deliveredIds).not.toContain(groupMsg.body.id);
  expect(delivered.join('\n')).not.toContain(SECRET);

  if (onPostgres()) return; // the raw file check is the embedded database's; PostgreSQL's limits are in docs/security.md
  // On disk: no file under the data directory holds either text any more, and the files' bytes
  // are gone. The WAL scrub waits for a moment without readers and writers; give it a few passes.
  const needles = [SECRET, FILE_SECRET].map((s) => Buffer.from(s));
  const pngHead = png.subarray(0, 64);
  const holding = () =>
    listFiles(server.dataDir).filter((f) => {
      const bytes = fs.readFileSync(f);
      return needles.some((n) => bytes.includes(n)) || bytes.includes(pngHead);
    });
  let found = holding();
  for (let i = 0; i < 20 && found.length > 0; i++) {
    await sleep(250);
    found = holding();
  }
  expect(found.map((f) => path.relative(server.dataDir, f))).toEqual([]);
}, 90_000);

test('burn_after and expires_at are held to the configured range with a typed error, and burn messages cannot be tagged', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const send = (extra: Record<string, unknown>) =>
    api<{ error: { code: string; field?: string } }>(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: randomUUID(), body: 'x', ...extra }, alice.token);
  for (const [extra, field] of [
    [{ burn_after: 0 }, '/burn_after'],
    [{ burn_after: '500ms' }, '/body/burn_after'],
    [{ burn_after: '8d' }, '/burn_after'],
    [{ burn_after: '1m', expires_at: new Date(Date.now() - 1_000).toISOString() }, '/expires_at'],
    [{ burn_after: '1m', expires_at: new Date(Date.now() + 8 * 86_400_000).toISOString() }, '/expires_at'],
    [{ expires_at: new Date(Date.now() + 60_000).toISOString() }, '/expires_at'],
  ] as const) {
    const r = await send(extra);
    expect(r.status, JSON.stringify(extra)).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
    expect(r.body.error.field, JSON.stringify(extra)).toContain(field.replace('/body', ''));
  }
  const ok = await send({ burn_after: 90 });
  expect(ok.status).toBe(201);
  const id = (ok.body as unknown as Message).id;
  expect((ok.body as unknown as Message).burn!.after_s).toBe(90);
  const tag = await api<{ error: { code: string } }>(server, 'POST', `/messages/${id}/tags`, { tag: 'secret' }, alice.token);
  expect(tag.status).toBe(409);
  // A non-member learns nothing: 404 as for an id that does not exist.
  const stranger = await registerUser(server);
  expect((await api(server, 'POST', `/messages/${id}/reveal`, undefined, stranger.token)).status).toBe(404);
});

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  });
}
