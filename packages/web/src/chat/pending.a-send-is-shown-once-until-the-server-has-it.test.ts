import { expect, test } from 'vitest';
import { MemoryOutbox, ParleyError, type Parley } from '@parley/sdk';
import type { SendAck } from '@parley/protocol';
import { testMessage } from '@parley/protocol/testing';
import { PendingSends } from './pending';
import type { PendingMessage } from './types';

type Send = Parley['send'];

/** A store's worth of pending messages, and a client whose sends the test answers one by one. */
function setup() {
  let pending: Record<string, PendingMessage> = {};
  let persisted = 0;
  const calls: { convId: string; body: string; clientMsgId: string; settle: { ok: (ack: SendAck) => void; fail: (e: unknown) => void } }[] = [];
  const send: Send = (convId, body, opts = {}) => new Promise<SendAck>((resolve, reject) => calls.push({ convId, body, clientMsgId: opts.clientMsgId!, settle: { ok: resolve, fail: reject } }));
  let client: Pick<Parley, 'send'> | null = { send };
  const outbox = new MemoryOutbox();
  const sends = new PendingSends(
    {
      pending: () => pending,
      setPending: (f) => (pending = f(pending)),
      me: () => 'U_ME',
      client: () => client,
      persist: () => persisted++,
    },
    outbox,
  );
  return {
    sends,
    outbox,
    calls,
    pending: () => pending,
    persisted: () => persisted,
    disconnect: () => (client = null),
  };
}

const settled = () => new Promise((r) => setTimeout(r, 0));

test('a send is pending until its ack or its message arrives, whichever is first, and never shown twice', async () => {
  const t = setup();
  t.sends.send('C1', 'first', null, []);
  t.sends.send('C1', 'second', 'M_ROOT', [{ id: 'F1', name: 'a.png', size: 3 }], 60);
  expect(Object.values(t.pending()).map((p) => [p.body, p.status, p.reply_to, p.files?.length ?? 0, p.burn_after ?? null])).toEqual([
    ['first', 'pending', null, 0, null],
    ['second', 'pending', 'M_ROOT', 1, 60],
  ]);
  const [first, second] = t.calls;
  // The id shown is the id sent: a retry after a reload is the same send to the server.
  expect(Object.keys(t.pending())).toEqual([first!.clientMsgId, second!.clientMsgId]);

  // The message event came before the ack (another device's socket was quicker).
  t.sends.arrived([testMessage({ sender_id: 'U_ME', client_msg_id: second!.clientMsgId })]);
  expect(Object.keys(t.pending())).toEqual([first!.clientMsgId]);
  // Someone else's message with the same client id is not mine.
  t.sends.arrived([testMessage({ sender_id: 'U_OTHER', client_msg_id: first!.clientMsgId })]);
  expect(Object.keys(t.pending())).toEqual([first!.clientMsgId]);
  t.sends.acked(first!.clientMsgId);
  expect(t.pending()).toEqual({});
  // A late ack of one already gone changes nothing.
  const before = t.pending();
  t.sends.acked(second!.clientMsgId);
  expect(t.pending()).toBe(before);
});

test('a refused send stays, failed with the reason; a retry resends the same id; discard removes it from the outbox too', async () => {
  const t = setup();
  t.sends.send('C1', 'key AKIAIOSFODNN7EXAMPLE', null, []);
  const [call] = t.calls;
  const id = call!.clientMsgId;
  await t.outbox.put({ client_msg_id: id, conv_id: 'C1', body: call!.body, created_at: 1 });
  call!.settle.fail(new ParleyError('secret_detected', 'A credential was found'));
  await settled();
  expect(t.pending()[id]).toMatchObject({ status: 'failed', error: 'secret_detected' });
  // Written down with the cache, so the failure is still there after a reload.
  expect(t.persisted()).toBe(1);

  t.sends.retry(id);
  expect(t.pending()[id]).toMatchObject({ status: 'pending', error: null });
  expect(t.calls.map((c) => c.clientMsgId)).toEqual([id, id]);
  t.calls[1]!.settle.fail(new ParleyError('secret_detected', 'A credential was found'));
  await settled();

  t.sends.discard(id);
  expect(t.pending()).toEqual({});
  expect(await t.outbox.load()).toEqual([]);
});

test('sends still in the outbox from before a reload come back as pending, beside the ones sent since', async () => {
  const t = setup();
  await t.outbox.put({ client_msg_id: 'OLD', conv_id: 'C1', body: 'written offline', created_at: 5, attachments: ['F9'] });
  t.sends.send('C1', 'new', null, []);
  await t.sends.restore();
  const old = t.pending()['OLD'];
  expect(old).toMatchObject({ body: 'written offline', status: 'pending', files: [{ id: 'F9', name: '', size: 0 }] });
  expect(Object.keys(t.pending())).toHaveLength(2);
});

test('a send before the client exists fails at once, saying so, rather than waiting for ever', () => {
  const t = setup();
  t.disconnect();
  t.sends.send('C1', 'too early', null, []);
  expect(Object.values(t.pending())).toMatchObject([{ status: 'failed', error: 'disconnected' }]);
});
