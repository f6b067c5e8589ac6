import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { DeliveredEvent, Member, ReadEvent, ServerEvent } from '@parley/protocol';
import { api, createConversation, login, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

const readBy = (userId: string, convId: string, seq: number) => (e: ServerEvent) => e.type === 'read' && e.user_id === userId && e.conv_id === convId && e.read_seq === seq;
const deliveredBy = (userId: string, convId: string, seq: number) => (e: ServerEvent) => e.type === 'delivered' && e.user_id === userId && e.conv_id === convId && e.delivered_seq === seq;

describe('read receipts', () => {
  test('read.mark in a DM reaches the sender as a read event and the reader’s second device too', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const bobPhoneLogin = await login(server, bob.user.username);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const bobLaptop = await connect(bob);
    const bobPhone = await connect(bobPhoneLogin);

    const m1 = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'one' });
    const m2 = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'two' });
    await bobLaptop.waitFor((e) => e.type === 'message.created' && e.message.id === m2.id);

    const res = await bobLaptop.request('read.mark', { conv_id: dm.id, seq: m1.seq });
    expect(res).toEqual({ conv_id: dm.id, read_seq: m1.seq });
    const toAlice = await a.waitFor<ReadEvent>(readBy(bob.user.id, dm.id, m1.seq));
    expect(toAlice).toEqual({ type: 'read', conv_id: dm.id, user_id: bob.user.id, read_seq: m1.seq });
    await bobPhone.waitFor(readBy(bob.user.id, dm.id, m1.seq));

    await bobPhone.request('read.mark', { conv_id: dm.id, seq: m2.seq });
    await a.waitFor(readBy(bob.user.id, dm.id, m2.seq));
    await bobLaptop.waitFor(readBy(bob.user.id, dm.id, m2.seq));

    // The cursor is visible to the other member.
    const members = await api<{ members: Member[] }>(server, 'GET', `/conversations/${dm.id}/members`, undefined, alice.token);
    expect(members.body.members.find((m) => m.user.id === bob.user.id)?.read_seq).toBe(m2.seq);
  });

  test('the read cursor only moves forward and never past the end of the conversation', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const b = await connect(bob);
    const m1 = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'one' });
    const m2 = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'two' });

    expect(await b.request('read.mark', { conv_id: dm.id, seq: m2.seq + 1000 })).toEqual({ conv_id: dm.id, read_seq: m2.seq });
    expect(await b.request('read.mark', { conv_id: dm.id, seq: m1.seq })).toEqual({ conv_id: dm.id, read_seq: m2.seq });
    await a.waitFor(readBy(bob.user.id, dm.id, m2.seq));
    await a.request('ping', {});
    expect(a.events.filter((e) => e.type === 'read' && e.user_id === bob.user.id).map((e) => (e as ReadEvent).read_seq)).toEqual([m2.seq]);
  });

  test('in a channel, a read receipt goes only to the reader’s own devices, not to every member', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const bobPhoneLogin = await login(server, bob.user.username);
    const channel = await createConversation(server, alice.token, { kind: 'channel', name: `big-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: [bob.user.id] });
    const a = await connect(alice);
    const bobLaptop = await connect(bob);
    const bobPhone = await connect(bobPhoneLogin);
    const m = await a.request('message.send', { conv_id: channel.id, client_msg_id: randomUUID(), body: 'announcement' });
    await bobLaptop.request('read.mark', { conv_id: channel.id, seq: m.seq });
    await bobPhone.waitFor(readBy(bob.user.id, channel.id, m.seq));
    await bobLaptop.waitFor(readBy(bob.user.id, channel.id, m.seq));
    await a.request('ping', {});
    expect(a.events.some((e) => e.type === 'read' || e.type === 'delivered')).toBe(false);
  });
});

describe('delivery receipts', () => {
  test('delivery.ack in a DM produces a delivered event for the sender', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const b = await connect(bob);

    const m = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'did you get this?' });
    await b.waitFor((e) => e.type === 'message.created' && e.message.id === m.id);
    const res = await b.request('delivery.ack', { conv_id: dm.id, seq: m.seq });
    expect(res).toEqual({ conv_id: dm.id, delivered_seq: m.seq });
    const ev = await a.waitFor<DeliveredEvent>(deliveredBy(bob.user.id, dm.id, m.seq));
    expect(ev).toEqual({ type: 'delivered', conv_id: dm.id, user_id: bob.user.id, delivered_seq: m.seq });
    // Delivered is not read: no read event was sent for bob.
    await a.request('ping', {});
    expect(a.events.some((e) => e.type === 'read' && e.user_id === bob.user.id)).toBe(false);
  });

  test('reading a message also marks it delivered', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const b = await connect(bob);
    const m = await a.request('message.send', { conv_id: dm.id, client_msg_id: randomUUID(), body: 'read me' });
    await b.request('read.mark', { conv_id: dm.id, seq: m.seq });
    await a.waitFor(readBy(bob.user.id, dm.id, m.seq));
    await a.waitFor(deliveredBy(bob.user.id, dm.id, m.seq));
  });
});
