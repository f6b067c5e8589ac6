/**
 * PARLEY_TRACE=0: an operator who does not want the trace (or its cost on every send) gets no
 * trace rows at all, and `parley admin trace` says tracing is off instead of "no such message".
 */
import { randomUUID } from 'node:crypto';
import { afterAll, expect, test } from 'vitest';
import type { ErrorBody, Message } from '@parley/protocol';
import { api, createConversation, registerUser, SocketClient, sleep, startServer, type TestServer } from '../testing/harness.js';

let server: TestServer | undefined;
afterAll(async () => {
  await server?.stop();
});

test('with the trace off, sends, acks and sockets write no trace rows, and a trace request says it is off', async () => {
  server = await startServer({ traceEnabled: false });
  const owner = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, owner.token, { kind: 'dm', user_id: bob.user.id });
  const b = await SocketClient.connect(server, bob.token);
  try {
    const sent = (await api<Message>(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: randomUUID(), body: 'untraced' }, owner.token)).body;
    await b.waitFor((e) => e.type === 'message.created' && e.message.id === sent.id);
    await b.request('delivery.ack', { conv_id: dm.id, seq: sent.seq });
    await b.request('read.mark', { conv_id: dm.id, seq: sent.seq });
    // Longer than the recorder's flush, so rows left waiting would have been written.
    await sleep(2_500);
    const { db } = server.parley.services.deps;
    for (const table of ['message_traces', 'trace_batches', 'trace_acks', 'trace_devices'] as const) {
      const rows = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(rows.n), table).toBe(0);
    }
    const res = await api<{ error: ErrorBody }>(server, 'GET', `/admin/messages/${sent.id}/trace`, undefined, owner.token);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('PARLEY_TRACE=0');
  } finally {
    await b.close();
  }
});
