/**
 * The workspace's secret policy on the paths that store text: sends over the socket and REST,
 * edits, incoming webhook posts and text-file previews. `mask` (the default) stores the body
 * with the credential masked and tells the sender where; `block` refuses with secret_detected
 * and stores nothing; `warn` stores it and says so. The credential is on no read path and, on
 * the embedded database, in neither the database file nor its WAL.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SentMessage, CreatedIncomingWebhook, ErrorBody, HistoryPage, Message, SearchPage, SendAck } from '@parley/protocol';
import { api, createConversation, onPostgres, registerUser, RequestError, SocketClient, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { uploadFile } from '../testing/files.js';

let server!: TestServer;
let owner!: TestUser;
let alice!: TestUser;
let convId!: string;
beforeAll(async () => {
  server = await startServer();
  owner = await registerUser(server);
  alice = await registerUser(server);
  convId = (await createConversation(server, owner.token, { kind: 'channel', name: `ops-${randomUUID().slice(0, 8)}`, visibility: 'public', member_ids: [alice.user.id] })).id;
});
afterAll(() => server?.stop());

// Made up, in the real shapes (an AWS key id, a GitHub token).
const KEY_ID = 'AKIAZ7QK3N5B2XW4LP6D';
const GH = 'ghp_R8sT2uV4wX6yZ8aB0cD2eF4gH6iJ8kL0mN2p';
const setPolicy = (secret_policy: string, token = owner.token) => api<{ secret_policy: string } & { error: ErrorBody }>(server, 'PATCH', '/admin/settings', { secret_policy }, token);
const history = async () => (await api<HistoryPage>(server, 'GET', `/conversations/${convId}/messages?limit=200`, undefined, owner.token)).body.messages;

/** Every byte the embedded database has on disk, the WAL included. */
function onDisk(): string {
  return ['parley.db', 'parley.db-wal']
    .map((f) => path.join(server.dataDir, f))
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f).toString('latin1'))
    .join('');
}

describe('mask (the default)', () => {
  test('a socket send is stored masked; the ack says what was found and where; no read path has it', async () => {
    const socket = await SocketClient.connect(server, alice.token);
    try {
      const body = `use key ${KEY_ID} for the deploy`;
      const ack = (await socket.request('message.send', { conv_id: convId, client_msg_id: randomUUID(), body })) as SendAck;
      expect(ack.secrets).toEqual({ policy: 'mask', found: [{ kind: 'aws', start: 8, end: 28 }] });
      expect(ack.message.body).toBe('use key AKIA********LP6D for the deploy');
      expect(body.slice(8, 28)).toBe(KEY_ID);
      expect((await history()).map((m) => m.body)).toContain('use key AKIA********LP6D for the deploy');
      expect(JSON.stringify(await history())).not.toContain(KEY_ID);
      // The message is in the index (the control), the key is not.
      const find = async (q: string) => (await api<SearchPage>(server, 'GET', `/search?q=${encodeURIComponent(q)}`, undefined, owner.token)).body.hits;
      await expect.poll(async () => (await find('deploy')).length, { timeout: 5_000 }).toBeGreaterThan(0);
      expect(await find(KEY_ID)).toEqual([]);
    } finally {
      await socket.close();
    }
  });

  test('a REST send, an edit and an incoming webhook post are masked too', async () => {
    const sent = await api<SentMessage>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body: `token: ${GH}` }, alice.token);
    expect(sent.status).toBe(201);
    expect(sent.body.body).toBe('token: ghp_********mN2p');
    // The REST sender is told, as the socket's ack tells it.
    expect(sent.body.secrets).toEqual({ policy: 'mask', found: [{ kind: expect.any(String) as string, start: 7, end: 7 + GH.length }] });
    expect(sent.body.secrets!.found[0]!.kind).toMatch(/github/);
    const plain = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body: 'will paste the key below' }, alice.token);
    const edited = await api<Message>(server, 'PATCH', `/messages/${plain.body.id}`, { body: `will paste the key below: ${KEY_ID}` }, alice.token);
    expect(edited.status).toBe(200);
    expect(edited.body.body).toBe('will paste the key below: AKIA********LP6D');
    const hook = await api<CreatedIncomingWebhook>(server, 'POST', `/conversations/${convId}/webhooks`, { name: 'CI' }, owner.token);
    const posted = await fetch(hook.body.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: `deploy used ${GH}` }) });
    expect(posted.status).toBe(200);
    const bodies = (await history()).map((m) => m.body);
    expect(bodies).toContain('deploy used ghp_********mN2p');
    expect(bodies.join('\n')).not.toContain(GH);
  });

  test('a text file’s preview is masked', async () => {
    const file = await uploadFile(server, alice, Buffer.from(`[default]\naws_access_key_id = ${KEY_ID}\nregion = eu-west-1\n`), 'credentials.txt');
    const sent = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body: '', attachments: [file] }, alice.token);
    expect(sent.body.attachments[0]!.preview).toBe('[default]\naws_access_key_id = AKIA********LP6D\nregion = eu-west-1\n');
  });

  test.skipIf(onPostgres())('the embedded database file and its WAL never held the credentials', () => {
    const disk = onDisk();
    expect(disk.length).toBeGreaterThan(0);
    expect(disk).not.toContain(KEY_ID);
    expect(disk).not.toContain(GH);
  });
});

describe('block and warn, set by an admin at run time', () => {
  test('members cannot change the policy', async () => {
    const res = await setPolicy('warn', alice.token);
    expect(res.status).toBe(403);
  });

  test('block refuses the send with the kind and position, and stores nothing', async () => {
    expect((await setPolicy('block')).body.secret_policy).toBe('block');
    try {
      const before = (await history()).length;
      const socket = await SocketClient.connect(server, alice.token);
      try {
        const refused = await socket.request('message.send', { conv_id: convId, client_msg_id: randomUUID(), body: `here: ${GH}` }).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(RequestError);
        expect((refused as RequestError).error).toMatchObject({ code: 'secret_detected', secrets: [{ kind: 'github', start: 6, end: 46 }] });
        expect((refused as RequestError).error.message).toContain('github at 6–46');
        expect((refused as RequestError).error.message).not.toContain(GH);
      } finally {
        await socket.close();
      }
      const rest = await api<{ error: ErrorBody }>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body: `k ${KEY_ID}` }, alice.token);
      expect(rest.status).toBe(400);
      expect(rest.body.error.code).toBe('secret_detected');
      expect((await history()).length).toBe(before);
      // Ordinary messages still go through.
      expect((await api(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body: 'the token expired, rotating' }, alice.token)).status).toBe(201);
    } finally {
      await setPolicy('mask');
    }
  });

  test('warn stores the message as sent and tells the sender', async () => {
    await setPolicy('warn');
    try {
      const socket = await SocketClient.connect(server, alice.token);
      try {
        const ack = (await socket.request('message.send', { conv_id: convId, client_msg_id: randomUUID(), body: `on purpose: ${GH}` })) as SendAck;
        expect(ack.secrets).toEqual({ policy: 'warn', found: [{ kind: 'github', start: 12, end: 52 }] });
        expect(ack.message.body).toBe(`on purpose: ${GH}`);
      } finally {
        await socket.close();
      }
    } finally {
      await setPolicy('mask');
    }
  });
});
