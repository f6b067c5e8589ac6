import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { MessageTrace, TraceDevice } from '@parley/protocol';
import { api, createConversation, login, registerUser, SocketClient, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
let owner!: TestUser;
const { connect } = serverPerFile((s, o) => {
  server = s;
  owner = o;
});

const trace = (id: string, token = owner.token) => api<MessageTrace>(server, 'GET', `/admin/messages/${id}/trace`, undefined, token);
const deviceOf = (t: MessageTrace, sessionId: string): TraceDevice | undefined => t.recipients.flatMap((r) => r.devices).find((d) => d.session_id === sessionId);
const ms = (s: string | null) => (s === null ? NaN : Date.parse(s));

describe('message trace', () => {
  test('shows accepted, committed and published, then each recipient device: delivered and read, or offline until it resyncs', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const bobPhone = await login(server, bob.user.username);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });

    // The phone was online once, then went away: it is offline since then.
    const phoneOnce = await SocketClient.connect(server, bobPhone.token);
    await phoneOnce.close();
    const a = await connect(alice);
    const laptop = await connect(bob);

    const body = `the secret plan ${randomUUID()}`;
    const sent = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body });
    await laptop.waitFor((e) => e.type === 'message.created' && e.message.id === sent.id);
    await laptop.request('delivery.ack', { conv_id: dm.id, seq: sent.seq });

    await expect.poll(async () => deviceOf((await trace(sent.id)).body, bob.sessionId)?.status, { timeout: 10_000 }).toBe('delivered');
    const t = (await trace(sent.id)).body;
    expect(t).toMatchObject({ message_id: sent.id, conv_id: dm.id, seq: sent.seq, sender_id: alice.user.id, sender_session_id: alice.sessionId, message_state: 'present' });
    expect(t.node).toBe(server.parley.config.nodeName);
    expect(t.batch_size).toBeGreaterThanOrEqual(1);
    // Each stage no earlier than the one before it.
    const stages = [t.accepted_at, t.written_at, t.committed_at, t.published_at, deviceOf(t, bob.sessionId)!.delivered_at].map(ms);
    expect(stages.every((x) => Number.isFinite(x))).toBe(true);
    expect([...stages].sort((x, y) => x - y)).toEqual(stages);
    expect(ms(t.published_at) - ms(t.accepted_at)).toBeLessThan(10_000);

    expect(t.recipients).toHaveLength(1);
    expect(t.recipients[0]).toMatchObject({ user_id: bob.user.id, username: bob.user.username, read: false, left_at: null });
    expect(deviceOf(t, bob.sessionId)).toMatchObject({ status: 'delivered', connected: true, delivered_node: t.node, read_at: null, reason: null });
    const phone = deviceOf(t, bobPhone.sessionId)!;
    expect(phone).toMatchObject({ status: 'pending', connected: false, delivered_at: null });
    expect(phone.reason).toMatch(/^device offline since \d{4}-/);
    // Never the content.
    expect(JSON.stringify(t)).not.toContain('secret plan');

    // Read on the laptop.
    await laptop.request('read.mark', { conv_id: dm.id, seq: sent.seq });
    await expect.poll(async () => deviceOf((await trace(sent.id)).body, bob.sessionId)?.status, { timeout: 10_000 }).toBe('read');
    const read = (await trace(sent.id)).body;
    expect(read.recipients[0]!.read).toBe(true);
    expect(ms(read.recipients[0]!.read_at)).toBeGreaterThanOrEqual(ms(deviceOf(read, bob.sessionId)!.delivered_at));
    expect(deviceOf(read, bobPhone.sessionId)!.status).toBe('pending');

    // The phone comes back, resyncs and acknowledges what it pulled.
    const back = await connect(bobPhone);
    const page = await back.request('sync.events', { conv_id: dm.id, after_seq: 0, limit: 100 });
    expect(page.events.some((e) => e.type === 'message.created' && e.message.id === sent.id)).toBe(true);
    await back.request('delivery.ack', { conv_id: dm.id, seq: sent.seq });
    await expect.poll(async () => deviceOf((await trace(sent.id)).body, bobPhone.sessionId)?.status, { timeout: 10_000 }).toBe('delivered');
    const after = (await trace(sent.id)).body;
    expect(deviceOf(after, bobPhone.sessionId)).toMatchObject({ connected: true, reason: null, delivered_node: after.node });
    expect(ms(deviceOf(after, bobPhone.sessionId)!.delivered_at)).toBeGreaterThan(ms(deviceOf(after, bob.sessionId)!.delivered_at));
  });

  test('a connected device that has not acknowledged is "sent", a signed-out one says so', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const bobTablet = await login(server, bob.user.username);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const laptop = await connect(bob);
    const sent = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'hello' });
    await laptop.waitFor((e) => e.type === 'message.created' && e.message.id === sent.id);
    expect((await api(server, 'DELETE', `/sessions/${bobTablet.sessionId}`, undefined, bob.token)).status).toBeLessThan(300);

    const t = (await trace(sent.id)).body;
    const laptopDevice = deviceOf(t, bob.sessionId)!;
    expect(laptopDevice).toMatchObject({ status: 'sent', connected: true, node: t.node });
    expect(laptopDevice.reason).toMatch(/not acknowledged/);
    const tablet = deviceOf(t, bobTablet.sessionId)!;
    expect(tablet.status).toBe('signed_out');
    expect(tablet.reason).toMatch(/^device signed out at /);
  });

  test('a recalled message keeps its trace, without content', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const sent = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'oops, wrong chat' });
    await a.request('message.recall', { message_id: sent.id });
    const t = await trace(sent.id);
    expect(t.status).toBe(200);
    expect(t.body.message_state).toBe('recalled');
    expect(JSON.stringify(t.body)).not.toContain('wrong chat');
  });

  test('members get 403 (even for their own message), unknown messages 404, and no one is told anything without a token', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const sent = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'mine' });

    for (const who of [alice, bob]) {
      const res = await trace(sent.id, who.token);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'forbidden' } });
    }
    // A member's refusal is the same for a message that does not exist: nothing to learn.
    expect((await trace('01ARZ3NDEKTSV4RRFFQ69G5FAV', bob.token)).status).toBe(403);
    expect((await api(server, 'GET', `/admin/messages/${sent.id}/trace`)).status).toBe(401);
    const unknown = await trace('01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'not_found' } });
  });
});
