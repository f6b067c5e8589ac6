import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { ErrorBody, HistoryPage, Message, ServerEvent } from '@parley/protocol';
import { errorCode, type SocketClient, api, createConversation, login, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

async function history(u: TestUser, convId: string): Promise<Message[]> {
  const res = await api<HistoryPage>(server, 'GET', `/conversations/${convId}/messages?limit=1000`, undefined, u.token);
  expect(res.status).toBe(200);
  return res.body.messages;
}

/** Sends a sentinel from `from` and waits for `to` to receive it: every earlier push to `to` has arrived by then. */
async function flush(from: SocketClient, to: SocketClient, convId: string): Promise<void> {
  const ack = await from.request('message.send', { conv_id: convId, client_msg_id: randomUUID(), body: 'sentinel' });
  await to.waitFor((e) => e.type === 'message.created' && e.message.id === ack.id);
}

const createdWithCmid = (cmid: string) => (e: ServerEvent) => e.type === 'message.created' && e.message.client_msg_id === cmid;

describe('retrying a send with the same client_msg_id', () => {
  test('over the socket: the retry is acked as a duplicate with the same id and seq, and only one message exists', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const b = await connect(bob);
    const cmid = randomUUID();

    const first = await a.request('message.send', { conv_id: dm.id, client_msg_id: cmid, body: 'pay the invoice' });
    const retry = await a.request('message.send', { conv_id: dm.id, client_msg_id: cmid, body: 'pay the invoice' });
    expect(first.duplicate).toBe(false);
    expect(retry.duplicate).toBe(true);
    expect(retry.id).toBe(first.id);
    expect(retry.seq).toBe(first.seq);
    expect(retry.client_msg_id).toBe(cmid);
    expect(retry.created_at).toBe(first.created_at);
    expect(retry.message).toEqual(first.message);

    await flush(a, b, dm.id);
    expect(b.events.filter(createdWithCmid(cmid))).toHaveLength(1);
    expect(a.events.filter(createdWithCmid(cmid))).toHaveLength(1);
    expect((await history(bob, dm.id)).filter((m) => m.client_msg_id === cmid)).toHaveLength(1);
    // The conversation did not advance for the retry: the sentinel took the very next seq.
    const msgs = await history(bob, dm.id);
    expect(msgs.map((m) => m.seq)).toEqual([first.seq, first.seq + 1]);
  });

  test('over REST: the first POST answers 201, the retry 200 with the same message, and the other member gets one event', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const b = await connect(bob);
    const cmid = randomUUID();

    const first = await api<Message>(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: cmid, body: 'ship it' }, alice.token);
    const retry = await api<Message>(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: cmid, body: 'ship it' }, alice.token);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(first.body.client_msg_id).toBe(cmid);

    await flush(a, b, dm.id);
    expect(b.events.filter(createdWithCmid(cmid))).toHaveLength(1);
    expect((await history(bob, dm.id)).filter((m) => m.client_msg_id === cmid)).toHaveLength(1);

    // A socket retry of a REST send is the same message too.
    const viaSocket = await a.request('message.send', { conv_id: dm.id, client_msg_id: cmid, body: 'ship it' });
    expect(viaSocket.duplicate).toBe(true);
    expect(viaSocket.id).toBe(first.body.id);
  });

  test('concurrent copies of one send from two devices of the same user make one message', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const alicePhone = await login(server, alice.user.username);
    const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
    const laptop = await connect(alice);
    const phone = await connect(alicePhone);
    const b = await connect(bob);

    const cmids = Array.from({ length: 10 }, () => randomUUID());
    const acks = await Promise.all(
      cmids.flatMap((cmid) => [
        laptop.request('message.send', { conv_id: group.id, client_msg_id: cmid, body: `m ${cmid}` }),
        phone.request('message.send', { conv_id: group.id, client_msg_id: cmid, body: `m ${cmid}` }),
        api<Message>(server, 'POST', `/conversations/${group.id}/messages`, { client_msg_id: cmid, body: `m ${cmid}` }, alice.token).then((r) => ({
          id: r.body.id,
          seq: r.body.seq,
          status: r.status,
        })),
      ]),
    );
    for (let i = 0; i < cmids.length; i++) {
      const trio = acks.slice(i * 3, i * 3 + 3);
      expect(new Set(trio.map((x) => x.id)).size).toBe(1);
      expect(new Set(trio.map((x) => x.seq)).size).toBe(1);
    }
    await flush(laptop, b, group.id);
    for (const cmid of cmids) expect(b.events.filter(createdWithCmid(cmid))).toHaveLength(1);
    const msgs = await history(bob, group.id);
    expect(msgs.filter((m) => m.body !== 'sentinel')).toHaveLength(cmids.length);
  });

  test('reusing a client_msg_id in another conversation is refused with 409 idempotency_conflict', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const carol = await registerUser(server);
    const withBob = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const withCarol = await createConversation(server, alice.token, { kind: 'dm', user_id: carol.user.id });
    const a = await connect(alice);
    const cmid = randomUUID();
    await a.request('message.send', { conv_id: withBob.id, client_msg_id: cmid, body: 'for bob only' });

    const rest = await api<{ error: ErrorBody }>(server, 'POST', `/conversations/${withCarol.id}/messages`, { client_msg_id: cmid, body: 'for carol' }, alice.token);
    expect(rest.status).toBe(409);
    expect(rest.body.error.code).toBe('idempotency_conflict');
    expect(await errorCode(a.request('message.send', { conv_id: withCarol.id, client_msg_id: cmid, body: 'for carol' }))).toBe('idempotency_conflict');
    expect(await history(carol, withCarol.id)).toEqual([]);

    // Another user may use the same client_msg_id: ids are scoped to their sender.
    const fromCarol = await api<Message>(server, 'POST', `/conversations/${withCarol.id}/messages`, { client_msg_id: cmid, body: 'hi alice' }, carol.token);
    expect(fromCarol.status).toBe(201);
  });
});
