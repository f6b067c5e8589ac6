import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ErrorBody, Message, MessageEditedEvent, ServerEvent } from '@parley/protocol';
import { errorCode, SocketClient, api, createConversation, registerUser, sleep, startServer, type TestServer, type TestUser } from '../testing/harness.js';

const servers: TestServer[] = [];
const sockets: SocketClient[] = [];

async function boot(overrides: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer(overrides);
  servers.push(s);
  await registerUser(s); // the workspace owner; the users of each test are plain members
  return s;
}

async function connect(server: TestServer, u: TestUser): Promise<SocketClient> {
  const s = await SocketClient.connect(server, u.token);
  sockets.push(s);
  return s;
}

const editedOf = (id: string) => (e: ServerEvent) => e.type === 'message.edited' && e.message.id === id;

let server: TestServer;
beforeAll(async () => {
  server = await boot();
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await Promise.all(servers.map((s) => s.stop()));
});

describe('editing within the window', () => {
  test('an edit reaches the other member as message.edited, and the previous bodies are kept, newest first', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(server, alice);
    const b = await connect(server, bob);
    const sent = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'meet at 5' });
    expect(sent.message.edited_at).toBeNull();

    const e1 = await a.request('message.edit', { message_id: sent.id, body: 'meet at 6' });
    expect(e1.body).toBe('meet at 6');
    expect(e1.edited_at).not.toBeNull();
    expect(e1.seq).toBe(sent.seq);
    const live = await b.waitFor<MessageEditedEvent>(editedOf(sent.id));
    expect(live.message.body).toBe('meet at 6');
    expect(live.message.edited_at).toBe(e1.edited_at);
    expect(live.actor_id).toBe(alice.user.id);
    expect(live.seq).toBeGreaterThan(sent.seq);

    await sleep(2); // a distinct edit time
    const e2 = await api<Message>(server, 'PATCH', `/messages/${sent.id}`, { body: 'meet at 7' }, alice.token);
    expect(e2.status).toBe(200);
    expect(e2.body.body).toBe('meet at 7');
    await b.waitForCount(editedOf(sent.id), 2);

    const edits = await api<{ edits: { edited_at: string; previous_body: string }[] }>(server, 'GET', `/messages/${sent.id}/edits`, undefined, alice.token);
    expect(edits.status).toBe(200);
    expect(edits.body.edits.map((x) => x.previous_body)).toEqual(['meet at 6', 'meet at 5']);
    expect(edits.body.edits[1]!.edited_at).toBe(e1.edited_at);

    // Every read path shows the current text, including a replay of the original message.created.
    expect((await api<Message>(server, 'GET', `/messages/${sent.id}`, undefined, bob.token)).body.body).toBe('meet at 7');
    expect((await b.request('history', { conv_id: dm.id })).messages.find((m) => m.id === sent.id)?.body).toBe('meet at 7');
    const replay = await b.request('sync.events', { conv_id: dm.id, after_seq: sent.seq - 1 });
    const created = replay.events.find((e) => e.type === 'message.created' && e.message.id === sent.id);
    expect(created && created.type === 'message.created' && created.message.body).toBe('meet at 7');
    // Editing is only for the sender; the other member cannot read the edit history either.
    expect(await errorCode(b.request('message.edit', { message_id: sent.id, body: 'hijack' }))).toBe('forbidden');
    const theirs = await api<{ error: ErrorBody }>(server, 'GET', `/messages/${sent.id}/edits`, undefined, bob.token);
    expect(theirs.status).toBe(403);
  });
});

describe('edit and recall windows', () => {
  test('after the edit window closes, an edit is refused with 403 edit_window_closed and the message stays as it was', async () => {
    const short = await boot({ editWindowMs: 300 });
    const alice = await registerUser(short);
    const bob = await registerUser(short);
    const dm = await createConversation(short, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(short, alice);
    const b = await connect(short, bob);
    expect(a.hello!.limits.edit_window_ms).toBe(300);
    const sent = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'final answer' });
    await a.request('message.edit', { message_id: sent.id, body: 'final answer!' }); // still open

    await sleep(400);
    expect(await errorCode(a.request('message.edit', { message_id: sent.id, body: 'changed my mind' }))).toBe('edit_window_closed');
    const rest = await api<{ error: ErrorBody }>(short, 'PATCH', `/messages/${sent.id}`, { body: 'changed my mind' }, alice.token);
    expect(rest.status).toBe(403);
    expect(rest.body.error.code).toBe('edit_window_closed');

    const now = await api<Message>(short, 'GET', `/messages/${sent.id}`, undefined, bob.token);
    expect(now.body.body).toBe('final answer!');
    await b.request('ping', {});
    expect(b.events.filter(editedOf(sent.id))).toHaveLength(1);
  });

  test('with unlimited windows (null), edit and recall stay open however old the message is', async () => {
    const forever = await boot({ editWindowMs: null, recallWindowMs: null });
    const alice = await registerUser(forever);
    const bob = await registerUser(forever);
    const dm = await createConversation(forever, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(forever, alice);
    expect(a.hello!.limits.edit_window_ms).toBeNull();
    expect(a.hello!.limits.recall_window_ms).toBeNull();
    const m1 = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'old news' });
    const m2 = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'older news' });

    // Make both messages a year old, as if sent long ago.
    await forever.parley.storage.db
      .updateTable('messages')
      .set((eb) => ({ created_at: eb('created_at', '-', 365 * 86_400_000) }))
      .where('id', 'in', [m1.id, m2.id])
      .execute();
    expect(Date.parse((await a.request('message.get', { message_id: m1.id })).created_at)).toBeLessThan(Date.now() - 300 * 86_400_000);

    const edited = await a.request('message.edit', { message_id: m1.id, body: 'still editable' });
    expect(edited.body).toBe('still editable');
    const recalled = await a.request('message.recall', { message_id: m2.id });
    expect(recalled.recalled).toBe(true);
    expect(recalled.body).toBe('');
  });
});
