import { expect, test } from 'vitest';
import { RequestError, createConversation, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s), { limits: { sendRatePerSec: 0.05, sendBurst: 3 } });

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'sent',
    (e: unknown) => (e instanceof RequestError ? e.error.code : String(e)),
  );

// A client that lost its connection resends what it never saw acked. Those retries must get their
// original acks even when the sender's budget is spent, and must not spend it: a reconnecting
// client would otherwise be refused its own messages, or locked out of sending new ones.
test('retries of stored sends get their acks with the budget spent, and cost nothing: the budget still admits exactly its new sends', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const a = await connect(alice);

  const first = await a.request('message.send', { conv_id: dm.id, client_msg_id: 'one', body: 'one' });
  // Retries sent at once with a new send, as after a reconnect: one batch.
  const [retry1, retry2, two] = await Promise.all([
    a.request('message.send', { conv_id: dm.id, client_msg_id: 'one', body: 'one' }),
    a.request('message.send', { conv_id: dm.id, client_msg_id: 'one', body: 'one' }),
    a.request('message.send', { conv_id: dm.id, client_msg_id: 'two', body: 'two' }),
  ]);
  expect(retry1).toMatchObject({ id: first.id, seq: first.seq, duplicate: true });
  expect(retry2).toMatchObject({ id: first.id, seq: first.seq, duplicate: true });
  expect(two.duplicate).toBe(false);

  // Budget 3: 'one' and 'two' spent two; the retries spent nothing, so exactly one more new send fits.
  expect(await codeOf(a.request('message.send', { conv_id: dm.id, client_msg_id: 'three', body: 'three' }))).toBe('sent');
  expect(await codeOf(a.request('message.send', { conv_id: dm.id, client_msg_id: 'four', body: 'four' }))).toBe('rate_limited');

  // With the budget spent, a retry is still answered from the stored message, and a refused send stays unstored.
  const late = await a.request('message.send', { conv_id: dm.id, client_msg_id: 'two', body: 'two' });
  expect(late).toMatchObject({ id: two.id, duplicate: true });
  const page = await a.request('sync.events', { conv_id: dm.id, after_seq: 0, limit: 50 });
  const bodies = page.events.flatMap((e) => (e.type === 'message.created' ? [e.message.body] : []));
  expect(bodies).toEqual(['one', 'two', 'three']);
});
