import { expect, test } from 'vitest';
import type { ErrorBody, ServerEvent } from '@parley/protocol';
import { api, createConversation, errorCode, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

const typingFrom = (userId: string) => (e: ServerEvent) => e.type === 'typing' && e.user_id === userId;

// A typing signal is relayed to every member's sockets: whatever thread_root_id the typer sends,
// each member receives. It was any string over REST (900 KB went through) while the socket
// already held it to an id.
test('POST /conversations/:id/typing refuses a thread_root_id that is not an id, like typing.start, and relays nothing', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const g = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
  const b = await connect(bob);
  const a = await connect(alice);

  for (const bad of ['x'.repeat(900 * 1024), 'not-an-id', '01arz3ndektsv4rrffq69g5fav', '']) {
    const res = await api<{ error: ErrorBody }>(server, 'POST', `/conversations/${g.id}/typing`, { thread_root_id: bad }, alice.token);
    expect(res.status, `thread_root_id of ${bad.length} chars`).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.field).toBe('/body/thread_root_id');
    // (A socket frame is capped at 64 KB before it is read at all.)
    if (bad.length < 1000) expect(await errorCode(a.request('typing.start', { conv_id: g.id, thread_root_id: bad }))).toBe('invalid_request');
  }
  await b.request('ping', {});
  expect(b.events.filter(typingFrom(alice.user.id))).toEqual([]);

  // A real id still goes through, on both paths.
  const root = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
  expect((await api(server, 'POST', `/conversations/${g.id}/typing`, { thread_root_id: root }, alice.token)).status).toBe(204);
  const seen = await b.waitFor(typingFrom(alice.user.id));
  expect(seen).toMatchObject({ type: 'typing', thread_root_id: root, active: true });
});
